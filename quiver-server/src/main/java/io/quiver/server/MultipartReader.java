package io.quiver.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Streams the parts of a {@code multipart/form-data} body (RFC 7578) without holding a part in memory: {@link #nextPart}
 * reads a part's headers, {@link #copyBody} copies its content up to the next boundary.
 */
final class MultipartReader {
  private static final int MAX_HEADER_BYTES = 16 << 10;
  private final InputStream in;
  private final byte[] delimiter;
  private final byte[] buf = new byte[1 << 16];
  private int pos;
  private int len;
  private boolean eof;
  private boolean inBody = true; // the preamble counts as a body to skip

  MultipartReader(InputStream in, String boundary) {
    this.in = in;
    this.delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
    // a virtual CRLF in front lets the first boundary match the same delimiter as the others
    buf[0] = '\r';
    buf[1] = '\n';
    len = 2;
  }

  /** The boundary parameter of a multipart Content-Type, or null. */
  static String boundary(String contentType) {
    if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
      return null;
    }
    for (String param : contentType.split(";")) {
      String p = param.trim();
      if (p.toLowerCase(Locale.ROOT).startsWith("boundary=")) {
        String b = p.substring("boundary=".length());
        if (b.length() >= 2 && b.startsWith("\"") && b.endsWith("\"")) {
          b = b.substring(1, b.length() - 1);
        }
        return b.isEmpty() || b.length() > 200 ? null : b;
      }
    }
    return null;
  }

  /** The {@code name} parameter of a part's Content-Disposition header, or null. */
  static String fieldName(Map<String, String> headers) {
    String cd = headers.get("content-disposition");
    if (cd == null) {
      return null;
    }
    for (String param : cd.split(";")) {
      String p = param.trim();
      if (p.startsWith("name=")) {
        String v = p.substring(5);
        return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"") ? v.substring(1, v.length() - 1) : v;
      }
    }
    return null;
  }

  /** Skips the rest of the current part; returns the next part's headers (lower-case names), or null at the end. */
  Map<String, String> nextPart() throws IOException {
    if (inBody) {
      copyBody(OutputStream.nullOutputStream(), Long.MAX_VALUE);
    }
    int a = readByte();
    int b = readByte();
    if (a == '-' && b == '-') {
      return null;
    }
    while (a == ' ' || a == '\t') { // transport padding after the boundary
      a = b;
      b = readByte();
    }
    if (a != '\r' || b != '\n') {
      throw new Malformed("a boundary is not followed by CRLF");
    }
    Map<String, String> headers = new HashMap<>();
    int total = 0;
    StringBuilder line = new StringBuilder();
    while (true) {
      int c = readByte();
      if (c < 0) {
        throw new Malformed("the body ends inside a part's headers");
      }
      if (++total > MAX_HEADER_BYTES) {
        throw new Malformed("a part's headers are too long");
      }
      if (c != '\n') {
        line.append((char) c);
        continue;
      }
      String l = line.toString().strip();
      line.setLength(0);
      if (l.isEmpty()) {
        inBody = true;
        return headers;
      }
      int colon = l.indexOf(':');
      if (colon > 0) {
        headers.put(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
      }
    }
  }

  /** Copies the current part's content to {@code out}; fails with {@link TooLarge} past {@code max} bytes. */
  long copyBody(OutputStream out, long max) throws IOException {
    long total = 0;
    while (true) {
      int idx = indexOfDelimiter();
      int end = idx >= 0 ? idx : Math.max(pos, len - (delimiter.length - 1));
      total += end - pos;
      if (total > max) {
        throw new TooLarge();
      }
      out.write(buf, pos, end - pos);
      pos = end;
      if (idx >= 0) {
        pos += delimiter.length;
        inBody = false;
        return total;
      }
      if (eof) {
        throw new Malformed("the body ends before the closing boundary");
      }
      fill();
    }
  }

  private int indexOfDelimiter() {
    byte first = delimiter[0];
    outer:
    for (int i = pos; i <= len - delimiter.length; i++) {
      if (buf[i] != first) {
        continue;
      }
      for (int j = 1; j < delimiter.length; j++) {
        if (buf[i + j] != delimiter[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private int readByte() throws IOException {
    while (pos == len) {
      if (eof) {
        return -1;
      }
      fill();
    }
    return buf[pos++] & 0xff;
  }

  private void fill() throws IOException {
    if (pos > 0) {
      System.arraycopy(buf, pos, buf, 0, len - pos);
      len -= pos;
      pos = 0;
    }
    int n = in.read(buf, len, buf.length - len);
    if (n < 0) {
      eof = true;
    } else {
      len += n;
    }
  }

  /** The body is not well-formed multipart. */
  static final class Malformed extends IOException {
    private static final long serialVersionUID = 1L;

    Malformed(String message) {
      super(message);
    }
  }

  /** A part is larger than the caller allows. */
  static final class TooLarge extends IOException {
    private static final long serialVersionUID = 1L;

    TooLarge() {
      super("part too large");
    }
  }
}
