package io.quiver.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.PointId;
import io.quiver.testing.RandomizedTest;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class FilterTest extends RandomizedTest {
  private static final ObjectMapper M = new ObjectMapper();
  private static final PointId ID = PointId.of(7);

  private static JsonNode json(String s) {
    try {
      return M.readTree(s.replace('\'', '"'));
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static boolean matches(String filter, String payload) {
    return FilterParser.parse(filter.replace('\'', '"')).test(ID, json(payload));
  }

  @Test
  void matchValueAnyExceptOverScalarsAndArrays() {
    String p = "{'city':'London','color':['red','green'],'count':3,'ok':true}";
    assertThat(matches("{'must':[{'key':'city','match':{'value':'London'}}]}", p)).isTrue();
    assertThat(matches("{'must':[{'key':'city','match':{'value':'Berlin'}}]}", p)).isFalse();
    assertThat(matches("{'must':{'key':'color','match':{'value':'green'}}}", p)).as("any array element").isTrue();
    assertThat(matches("{'must':[{'key':'count','match':{'value':3}}]}", p)).isTrue();
    assertThat(matches("{'must':[{'key':'count','match':{'value':'3'}}]}", p)).as("no type coercion").isFalse();
    assertThat(matches("{'must':[{'key':'ok','match':{'value':true}}]}", p)).isTrue();
    assertThat(matches("{'must':[{'key':'city','match':{'any':['Paris','London']}}]}", p)).isTrue();
    assertThat(matches("{'must':[{'key':'city','match':{'any':[]}}]}", p)).isFalse();
    assertThat(matches("{'must':[{'key':'city','match':{'except':['London']}}]}", p)).isFalse();
    assertThat(matches("{'must':[{'key':'color','match':{'except':['red']}}]}", p))
        .as("green is not excepted").isTrue();
    assertThat(matches("{'must':[{'key':'missing','match':{'value':'x'}}]}", p)).isFalse();
  }

  @Test
  void numericAndDatetimeRanges() {
    String p = "{'price':299.5,'sizes':[38,42],'at':'2024-03-01T10:00:00+01:00'}";
    assertThat(matches("{'must':[{'key':'price','range':{'lt':300}}]}", p)).isTrue();
    assertThat(matches("{'must':[{'key':'price','range':{'gt':299.5}}]}", p)).isFalse();
    assertThat(matches("{'must':[{'key':'price','range':{'gte':299.5,'lte':299.5}}]}", p)).isTrue();
    assertThat(matches("{'must':[{'key':'sizes','range':{'gt':40}}]}", p)).isTrue();
    assertThat(matches("{'must':[{'key':'at','range':{'gte':'2024-03-01T09:00:00Z'}}]}", p)).isTrue();
    assertThat(matches("{'must':[{'key':'at','range':{'gt':'2024-03-01T09:00:00Z'}}]}", p)).isFalse();
    assertThat(matches("{'must':[{'key':'at','range':{'lt':'2024-03-02'}}]}", p)).isTrue();
  }

  @Test
  void emptinessNullsCountsAndIds() {
    String p = "{'a':null,'b':[],'c':[1,2,3],'d':'x'}";
    assertThat(matches("{'must':[{'is_empty':{'key':'a'}}]}", p)).isTrue();
    assertThat(matches("{'must':[{'is_empty':{'key':'b'}}]}", p)).isTrue();
    assertThat(matches("{'must':[{'is_empty':{'key':'zzz'}}]}", p)).isTrue();
    assertThat(matches("{'must':[{'is_empty':{'key':'d'}}]}", p)).isFalse();
    assertThat(matches("{'must':[{'is_null':{'key':'a'}}]}", p)).isTrue();
    assertThat(matches("{'must':[{'is_null':{'key':'zzz'}}]}", p)).as("missing is not null").isFalse();
    assertThat(matches("{'must':[{'is_null':{'key':'b'}}]}", p)).isFalse();
    assertThat(matches("{'must':[{'key':'c','values_count':{'gte':3,'lt':4}}]}", p)).isTrue();
    assertThat(matches("{'must':[{'key':'c','values_count':{'gt':3}}]}", p)).isFalse();
    assertThat(matches("{'must':[{'has_id':[1,7,'550e8400-e29b-41d4-a716-446655440000']}]}", p)).isTrue();
    assertThat(matches("{'must':[{'has_id':[1,2]}]}", p)).isFalse();
    UUID u = UUID.randomUUID();
    assertThat(FilterParser.parse("{\"must\":[{\"has_id\":[\"" + u + "\"]}]}").test(new PointId.Uuid(u), null))
        .isTrue();
    assertThat(FilterParser.parse("{\"must\":[{\"has_id\":[18446744073709551615]}]}").test(PointId.of(-1L), null))
        .as("largest unsigned 64-bit id").isTrue();
  }

  @Test
  void dottedKeysArrayProjectionAndNestedObjects() {
    String p = "{'country':{'name':'Germany','cities':[{'name':'Berlin','population':3.7},"
        + "{'name':'Munich','population':1.5}]},"
        + "'dishes':[{'food':'meat','likes':false},{'food':'fruit','likes':true}]}";
    assertThat(matches("{'must':[{'key':'country.name','match':{'value':'Germany'}}]}", p)).isTrue();
    assertThat(matches("{'must':[{'key':'country.cities[].population','range':{'gte':3}}]}", p)).isTrue();
    assertThat(matches("{'must':[{'key':'country.cities[].population','range':{'gte':4}}]}", p)).isFalse();
    // flat conditions may be satisfied by different array elements...
    assertThat(matches("{'must':[{'key':'dishes[].food','match':{'value':'meat'}},"
        + "{'key':'dishes[].likes','match':{'value':true}}]}", p)).isTrue();
    // ...nested requires one element to satisfy the whole filter (Qdrant's documented example)
    assertThat(matches("{'must':[{'nested':{'key':'dishes','filter':{'must':["
        + "{'key':'food','match':{'value':'meat'}},{'key':'likes','match':{'value':true}}]}}}]}", p)).isFalse();
    assertThat(matches("{'must':[{'nested':{'key':'dishes','filter':{'must':["
        + "{'key':'food','match':{'value':'fruit'}},{'key':'likes','match':{'value':true}}]}}}]}", p)).isTrue();
  }

  @Test
  void geoRadiusAndBoundingBox() {
    String berlin = "{'location':{'lon':13.4050,'lat':52.5200}}";
    assertThat(matches("{'must':[{'key':'location','geo_radius':{'center':{'lon':13.3777,'lat':52.5163},"
        + "'radius':3000}}]}", berlin)).as("Brandenburg Gate is about 2 km away").isTrue();
    assertThat(matches("{'must':[{'key':'location','geo_radius':{'center':{'lon':11.5820,'lat':48.1351},"
        + "'radius':100000}}]}", berlin)).as("Munich is 500 km away").isFalse();
    assertThat(matches("{'must':[{'key':'location','geo_bounding_box':{'top_left':{'lon':13.0,'lat':53.0},"
        + "'bottom_right':{'lon':14.0,'lat':52.0}}}]}", berlin)).isTrue();
    assertThat(matches("{'must':[{'key':'location','geo_bounding_box':{'top_left':{'lon':170,'lat':10},"
        + "'bottom_right':{'lon':-170,'lat':-10}}}]}", "{'location':{'lon':179.5,'lat':0}}"))
        .as("box across the antimeridian").isTrue();
  }

  @Test
  void booleanCombinations() {
    String p = "{'a':1,'b':2}";
    String a1 = "{'key':'a','match':{'value':1}}";
    String b3 = "{'key':'b','match':{'value':3}}";
    assertThat(matches("{'should':[" + a1 + "," + b3 + "]}", p)).isTrue();
    assertThat(matches("{'should':[" + b3 + "]}", p)).isFalse();
    assertThat(matches("{'must_not':[" + b3 + "]}", p)).isTrue();
    assertThat(matches("{'must_not':[" + a1 + "]}", p)).isFalse();
    assertThat(matches("{'min_should':{'conditions':[" + a1 + "," + b3 + "],'min_count':2}}", p)).isFalse();
    assertThat(matches("{'min_should':{'conditions':[" + a1 + "," + b3 + "],'min_count':1}}", p)).isTrue();
    assertThat(matches("{'must':[{'must_not':[" + b3 + "]}," + a1 + "]}", p)).as("nested filter").isTrue();
    assertThat(matches("{}", p)).as("empty filter passes everything").isTrue();
  }

  @Test
  void malformedFiltersNameTheOffendingPath() {
    assertThatThrownBy(() -> FilterParser.parse("{\"must\":[{\"key\":\"a\",\"match\":{\"value\":1}},"
        + "{\"key\":\"b\",\"rnage\":{}}]}"))
        .isInstanceOf(FilterParseException.class).hasMessageStartingWith("filter.must[1].rnage: unknown condition");
    assertThatThrownBy(() -> FilterParser.parse("{\"muts\":[]}")).hasMessageStartingWith("filter.muts: unknown field");
    assertThatThrownBy(() -> FilterParser.parse("{\"must\":[{\"key\":\"a\",\"range\":{\"gt\":\"soon\"}}]}"))
        .hasMessageStartingWith("filter.must[0].range.gt: 'soon' is not an RFC 3339 datetime");
    assertThatThrownBy(() -> FilterParser.parse("{\"must\":[{\"key\":\"a\",\"match\":{\"value\":1.5}}]}"))
        .hasMessageStartingWith("filter.must[0].match.value: expected a string, integer or boolean");
    assertThatThrownBy(() -> FilterParser.parse("{\"must\":[{\"has_id\":[-1]}]}"))
        .hasMessageStartingWith("filter.must[0].has_id[0]:");
    assertThatThrownBy(() -> FilterParser.parse("{\"must\": [ {\"key\": 5, \"match\": {\"value\": 1}} ]}"))
        .hasMessageStartingWith("filter.must[0].key: expected a non-empty key string");
    assertThatThrownBy(() -> FilterParser.parse("{\"must\": [ "))
        .hasMessageStartingWith("filter: malformed JSON");
    assertThatThrownBy(() -> FilterParser.parse("{\"must\":[{\"key\":\"t\",\"match\":{\"text\":1}}]}"))
        .hasMessageStartingWith("filter.must[0].match.text: expected a string");
    assertThatThrownBy(() -> FilterParser.parse("{\"must\":[{\"key\":\"t\",\"match\":{\"prefix\":\"x\"}}]}"))
        .hasMessageStartingWith("filter.must[0].match.prefix: unknown match kind");
    assertThat(FilterParser.parse("{\"must\":[{\"key\":\"t\",\"match\":{\"phrase\":\"a b\"}}]}").must())
        .containsExactly(new Condition.TextMatch("t", Condition.TextMatch.Kind.PHRASE, "a b"));
    assertThatThrownBy(() -> FilterParser.parse("{\"must\":[{\"nested\":{\"key\":\"d\"}}]}"))
        .hasMessageStartingWith("filter.must[0].nested: missing field 'filter'");
    assertThatThrownBy(() -> FilterParser.parse("{\"must\":[{\"key\":\"g\",\"geo_radius\":{\"center\":"
        + "{\"lon\":200,\"lat\":0},\"radius\":1}}]}")).hasMessageStartingWith("filter.must[0].geo_radius.center:");
  }

  @Test
  void randomRangesAndMatchesAgreeWithDirectComputation() {
    Random rnd = random();
    for (int round = 0; round < atLeast(300); round++) {
      int price = rnd.nextInt(1000);
      int tag = rnd.nextInt(5);
      String payload = "{\"price\":" + price + ",\"tags\":[" + tag + "," + (tag + 1) + "]}";
      int lo = rnd.nextInt(1000);
      int hi = lo + rnd.nextInt(500);
      int want = rnd.nextInt(7);
      boolean negate = rnd.nextBoolean();
      String cond = "{\"key\":\"price\",\"range\":{\"gte\":" + lo + ",\"lt\":" + hi + "}},"
          + "{\"key\":\"tags\",\"match\":{\"value\":" + want + "}}";
      String filter = negate ? "{\"must_not\":[" + cond + "]}" : "{\"must\":[" + cond + "]}";
      boolean inRange = price >= lo && price < hi;
      boolean tagged = want == tag || want == tag + 1;
      boolean expected = negate ? !inRange && !tagged : inRange && tagged;
      assertThat(FilterParser.parse(filter).test(ID, json(payload))).as("%s on %s", filter, payload)
          .isEqualTo(expected);
    }
  }
}
