package io.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QueryEndpointsTest {
  @TempDir Path dir;

  @Test
  void queryByPointIdKeepsTheQuantizationParams() throws Exception {
    try (ServerHarness s = new ServerHarness(dir)) {
      s.ok("PUT", "/collections/q", "{\"vectors\":{\"size\":8,\"distance\":\"Euclid\"},"
          + "\"quantization_config\":{\"binary\":{}}}");
      StringBuilder pts = new StringBuilder("{\"points\":[");
      Random rnd = new Random(11);
      String vector3 = null;
      for (int i = 0; i < 300; i++) {
        StringBuilder v = new StringBuilder("[");
        for (int d = 0; d < 8; d++) {
          v.append(d == 0 ? "" : ",").append(rnd.nextFloat() - 0.5f);
        }
        v.append("]");
        if (i == 3) {
          vector3 = v.toString();
        }
        pts.append(i == 0 ? "" : ",").append("{\"id\":").append(i).append(",\"vector\":").append(v).append("}");
      }
      s.ok("PUT", "/collections/q/points?wait=true", pts.append("]}").toString());
      s.db.collection("q").flush(); // seal: binary codes are built now
      // without rescoring the codes' approximate distances are returned: by id as by the point's vector
      String params = ",\"limit\":5,\"params\":{\"quantization\":{\"rescore\":false}}}";
      JsonNode byVector = s.ok("POST", "/collections/q/points/query", "{\"query\":" + vector3
          + params.replace("\"limit\":5", "\"limit\":6"));
      JsonNode byId = s.ok("POST", "/collections/q/points/query", "{\"query\":3" + params);
      JsonNode byNearestId = s.ok("POST", "/collections/q/points/query", "{\"query\":{\"nearest\":3}" + params);
      JsonNode rescored = s.ok("POST", "/collections/q/points/query", "{\"query\":3,\"limit\":5}");
      List<String> expected = new ArrayList<>();
      for (JsonNode p : byVector.get("points")) {
        if (p.get("id").asInt() != 3) {
          expected.add(p.get("id") + ":" + p.get("score").floatValue());
        }
      }
      expected = expected.subList(0, 5);
      assertThat(hits(byId)).isEqualTo(expected);
      assertThat(hits(byNearestId)).isEqualTo(expected);
      assertThat(hits(rescored)).as("the exact distances differ from the codes'").isNotEqualTo(expected);
    }
  }

  private static List<String> hits(JsonNode result) {
    List<String> out = new ArrayList<>();
    result.get("points").forEach(p -> out.add(p.get("id") + ":" + p.get("score").floatValue()));
    return out;
  }
}
