package io.quiver.cli.load;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * HTTP/1.1 keep-alive clients for the load test. Every thread they run on is a platform thread named
 * {@code loadtest-*} or the JDK client's {@code HttpClient-*}, so the client's CPU time can be told apart from an
 * in-process server's (whose handlers run on virtual threads).
 */
sealed interface HttpTransport extends AutoCloseable {

  record Response(int status, byte[] body) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    /** The body as text, cut after 300 characters. */
    String abbreviatedText() {
      String s = text();
      return s.length() <= 300 ? s : s.substring(0, 300) + "...";
    }

    /** Returns normally if the status is 200; else throws, naming {@code what}, the status and the body's start. */
    void expectOk(String what) throws IOException {
      if (status != 200) {
        throw new IOException(what + ": HTTP " + status + ": " + abbreviatedText());
      }
    }
  }

  /** {@code json}'s UTF-8 bytes, a request body. */
  static byte[] body(String json) {
    return json.getBytes(StandardCharsets.UTF_8);
  }

  /** One client connection (the JDK client shares its pool among them); used by one thread at a time. */
  interface Connection extends AutoCloseable {
    Response send(String method, String path, byte[] body) throws IOException, InterruptedException;

    @Override
    void close();
  }

  Connection open();

  String name();

  @Override
  void close();

  static HttpTransport of(String kind, URI base, int threads) {
    return switch (kind.toLowerCase(Locale.ROOT)) {
      case "jdk" -> new Jdk(base, threads);
      case "raw" -> new Raw(base);
      default -> throw new IllegalArgumentException("--client: jdk or raw, not " + kind);
    };
  }

  /** java.net.http.HttpClient pinned to HTTP/1.1, its async work on a fixed pool of platform threads. */
  final class Jdk implements HttpTransport {
    private final URI base;
    private final ExecutorService executor;
    private final HttpClient client;

    Jdk(URI base, int threads) {
      this.base = base;
      AtomicInteger n = new AtomicInteger();
      this.executor = Executors.newFixedThreadPool(Math.max(2, threads),
          r -> Thread.ofPlatform().daemon().name("loadtest-http-" + n.incrementAndGet()).unstarted(r));
      this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(executor)
          .connectTimeout(Duration.ofSeconds(10)).build();
    }

    @Override
    public Connection open() {
      Map<String, URI> uris = new HashMap<>();
      return new Connection() {
        @Override
        public Response send(String method, String path, byte[] body) throws IOException, InterruptedException {
          URI uri = uris.computeIfAbsent(path, base::resolve);
          HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(120));
          if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
          } else {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofByteArray(body));
          }
          HttpResponse<byte[]> r = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
          return new Response(r.statusCode(), r.body());
        }

        @Override
        public void close() {}
      };
    }

    @Override
    public String name() {
      return "jdk";
    }

    @Override
    public void close() {
      client.close();
      executor.shutdownNow();
    }
  }

  /**
   * A minimal blocking HTTP/1.1 client on a socket per connection: writes the request in one flush, reads the status
   * line, headers and a Content-Length or chunked body. Reconnects when the server closes the connection.
   */
  final class Raw implements HttpTransport {
    private final String host;
    private final int port;
    private final String hostHeader;

    Raw(URI base) {
      if (!"http".equalsIgnoreCase(base.getScheme())) {
        throw new IllegalArgumentException("--client raw speaks plain http only, not " + base.getScheme());
      }
      this.host = base.getHost();
      this.port = base.getPort() < 0 ? 80 : base.getPort();
      this.hostHeader = host + ":" + port;
    }

    @Override
    public Connection open() {
      return new RawConnection();
    }

    @Override
    public String name() {
      return "raw";
    }

    @Override
    public void close() {}

    private final class RawConnection implements Connection {
      private Socket socket;
      private InputStream in;
      private OutputStream out;

      private void connect() throws IOException {
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.connect(new InetSocketAddress(host, port), 10_000);
        s.setSoTimeout(120_000);
        socket = s;
        in = new BufferedInputStream(s.getInputStream(), 64 * 1024);
        out = new BufferedOutputStream(s.getOutputStream(), 64 * 1024);
      }

      /** Whether the current response has produced a byte yet (a stale keep-alive connection never does). */
      private boolean responseStarted;

      @Override
      public Response send(String method, String path, byte[] body) throws IOException {
        boolean reused = socket != null;
        try {
          return attempt(method, path, body);
        } catch (IOException e) {
          if (!reused || responseStarted) {
            throw e;
          }
          // The server closed the idle connection (keep-alive timeout) before reading this request: retry once on
          // a new connection, as HTTP clients do.
          return attempt(method, path, body);
        }
      }

      private Response attempt(String method, String path, byte[] body) throws IOException {
        if (socket == null) {
          connect();
        }
        responseStarted = false;
        try {
          StringBuilder h = new StringBuilder(128).append(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: ")
              .append(hostHeader).append("\r\n");
          if (body != null) {
            h.append("Content-Type: application/json\r\nContent-Length: ").append(body.length).append("\r\n");
          }
          out.write(h.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
          if (body != null) {
            out.write(body);
          }
          out.flush();
          return read();
        } catch (IOException | RuntimeException e) {
          close();
          throw e;
        }
      }

      private Response read() throws IOException {
        String status = line();
        responseStarted = true;
        if (!status.startsWith("HTTP/1.")) {
          throw new IOException("not an HTTP response: " + status);
        }
        int code = Integer.parseInt(status.substring(9, 12));
        long length = -1;
        boolean chunked = false;
        boolean closeAfter = status.startsWith("HTTP/1.0");
        for (String line = line(); !line.isEmpty(); line = line()) {
          int colon = line.indexOf(':');
          if (colon < 0) {
            continue;
          }
          String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
          String value = line.substring(colon + 1).trim();
          switch (name) {
            case "content-length" -> length = Long.parseLong(value);
            case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
            case "connection" -> closeAfter = value.equalsIgnoreCase("close");
            default -> { }
          }
        }
        byte[] body;
        if (chunked) {
          ByteArrayOutputStream buf = new ByteArrayOutputStream();
          for (;;) {
            String size = line();
            int semi = size.indexOf(';');
            int n = Integer.parseInt((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
            if (n == 0) {
              while (!line().isEmpty()) { } // trailers
              break;
            }
            buf.write(exactly(n));
            line();
          }
          body = buf.toByteArray();
        } else if (length >= 0) {
          body = exactly((int) length);
        } else {
          body = in.readAllBytes();
          closeAfter = true;
        }
        if (closeAfter) {
          close();
        }
        return new Response(code, body);
      }

      private byte[] exactly(int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length < n) {
          throw new IOException("connection closed after " + b.length + " of " + n + " body bytes");
        }
        return b;
      }

      private String line() throws IOException {
        StringBuilder sb = new StringBuilder(64);
        for (;;) {
          int c = in.read();
          if (c < 0) {
            throw new IOException("connection closed by the server");
          }
          if (c == '\n') {
            int len = sb.length();
            if (len > 0 && sb.charAt(len - 1) == '\r') {
              sb.setLength(len - 1);
            }
            return sb.toString();
          }
          sb.append((char) c);
        }
      }

      @Override
      public void close() {
        if (socket != null) {
          try {
            socket.close();
          } catch (IOException ignored) {
            // closing anyway
          }
          socket = null;
        }
      }
    }
  }
}
