package io.quiver.filter;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;

/** Comparisons of payload values shared by the conditions (public for payload indexes, which must agree). */
public final class Values {
  private static final double EARTH_RADIUS_M = 6_371_008.8;

  private Values() {}

  /** Equality of keyword, integer and boolean values (integers compare by value, 3 == 3.0). */
  public static boolean sameScalar(JsonNode a, JsonNode b) {
    if (a.isTextual() && b.isTextual()) {
      return a.textValue().equals(b.textValue());
    }
    if (a.isBoolean() && b.isBoolean()) {
      return a.booleanValue() == b.booleanValue();
    }
    if (a.isNumber() && b.isNumber()) {
      if (a.isIntegralNumber() && b.isIntegralNumber()) {
        return a.bigIntegerValue().equals(b.bigIntegerValue());
      }
      return a.doubleValue() == b.doubleValue();
    }
    return false;
  }

  /** Whether {@code v} equals one of {@code candidates} by {@link #sameScalar}. */
  static boolean sameAsAny(JsonNode v, List<JsonNode> candidates) {
    for (JsonNode c : candidates) {
      if (sameScalar(v, c)) {
        return true;
      }
    }
    return false;
  }

  /** RFC 3339 (with offset or Z), or a local date-time / date taken as UTC; null when unparseable. */
  public static Instant parseDatetimeOrNull(String s) {
    try {
      return OffsetDateTime.parse(s).toInstant();
    } catch (DateTimeParseException e) {
      // try the looser forms
    }
    try {
      return LocalDateTime.parse(s.replace(' ', 'T')).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      // try a date
    }
    try {
      return LocalDate.parse(s).atStartOfDay().toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** {lon, lat} of a geo point object, or null. */
  static double[] geoPoint(JsonNode v) {
    if (v != null && v.isObject() && v.path("lon").isNumber() && v.path("lat").isNumber()) {
      return new double[] {v.get("lon").doubleValue(), v.get("lat").doubleValue()};
    }
    return null;
  }

  public static double haversineMeters(double lon1, double lat1, double lon2, double lat2) {
    double p1 = Math.toRadians(lat1);
    double p2 = Math.toRadians(lat2);
    double dp = p2 - p1;
    double dl = Math.toRadians(lon2 - lon1);
    double a = Math.sin(dp / 2) * Math.sin(dp / 2) + Math.cos(p1) * Math.cos(p2) * Math.sin(dl / 2) * Math.sin(dl / 2);
    return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(a)));
  }
}
