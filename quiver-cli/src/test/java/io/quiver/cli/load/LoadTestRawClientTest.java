package io.quiver.cli.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LoadTestRawClientTest {

  /** Answers one request per connection with keep-alive headers, then closes it, as an idle timeout would. */
  private static Thread oneRequestPerConnection(ServerSocket ss, int connections, boolean chunked) {
    return Thread.ofPlatform().start(() -> {
      for (int c = 0; c < connections; c++) {
        try (Socket s = ss.accept()) {
          BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
          for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) { }
          OutputStream out = s.getOutputStream();
          String body = "{\"n\":" + c + "}";
          String head = chunked
              ? "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(body.length()) + "\r\n"
                  + body + "\r\n0\r\n\r\n"
              : "HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
          out.write(head.getBytes(StandardCharsets.ISO_8859_1));
          out.flush();
          Thread.sleep(100); // the client sees a live connection, then it closes
        } catch (Exception e) {
          return;
        }
      }
    });
  }

  @Test
  void retriesOnceWhenTheServerClosedAnIdleKeepAliveConnection() throws Exception {
    for (boolean chunked : new boolean[] {false, true}) {
      try (ServerSocket ss = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
        Thread server = oneRequestPerConnection(ss, 2, chunked);
        HttpTransport raw = HttpTransport.of("raw", URI.create("http://127.0.0.1:" + ss.getLocalPort() + "/"), 1);
        try (HttpTransport.Connection c = raw.open()) {
          HttpTransport.Response first = c.send("GET", "/", null);
          assertThat(first.status()).isEqualTo(200);
          assertThat(first.text()).isEqualTo("{\"n\":0}");
          Thread.sleep(300); // the server has closed the connection by now
          HttpTransport.Response second = c.send("POST", "/x", "{}".getBytes(StandardCharsets.UTF_8));
          assertThat(second.text()).isEqualTo("{\"n\":1}");
        }
        server.join(5000);
      }
    }
  }
}
