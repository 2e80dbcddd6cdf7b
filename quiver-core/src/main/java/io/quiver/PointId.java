package io.quiver;

import java.util.Comparator;
import java.util.Objects;
import java.util.UUID;

/** A point id as in Qdrant: an unsigned 64-bit integer or a UUID. */
public sealed interface PointId {

  /** An unsigned 64-bit id, held in a long (compare with {@link Long#compareUnsigned}). */
  record Num(long value) implements PointId {
    @Override
    public String toString() {
      return Long.toUnsignedString(value);
    }
  }

  record Uuid(UUID value) implements PointId {
    public Uuid {
      Objects.requireNonNull(value, "uuid");
    }

    @Override
    public String toString() {
      return value.toString();
    }
  }

  /** The order scroll pages by: integer ids (unsigned) before UUIDs, UUIDs by their unsigned 128-bit value. */
  Comparator<PointId> ORDER = (a, b) -> switch (a) {
    case Num x -> b instanceof Num y ? Long.compareUnsigned(x.value(), y.value()) : -1;
    case Uuid x -> {
      if (!(b instanceof Uuid y)) {
        yield 1;
      }
      int c = Long.compareUnsigned(x.value().getMostSignificantBits(), y.value().getMostSignificantBits());
      yield c != 0 ? c : Long.compareUnsigned(x.value().getLeastSignificantBits(), y.value().getLeastSignificantBits());
    }
  };

  static PointId of(long unsigned) {
    return new Num(unsigned);
  }

  /**
   * A UUID in its dashed form ({@code 550e8400-e29b-41d4-a716-446655440000}) or as 32 hex digits without dashes
   * ({@code 550e8400e29b41d4a716446655440000}), which Qdrant accepts too; both name the same id.
   *
   * @throws IllegalArgumentException when {@code s} is neither
   */
  static UUID uuid(String s) {
    if (s.length() == 32 && s.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
      return new UUID(Long.parseUnsignedLong(s, 0, 16, 16), Long.parseUnsignedLong(s, 16, 32, 16));
    }
    return UUID.fromString(s);
  }

  /** Parses a decimal unsigned 64-bit integer or a UUID string (dashed, or 32 hex digits). */
  static PointId parse(String s) {
    if (!s.isEmpty() && s.chars().allMatch(Character::isDigit)) {
      try {
        return new Num(Long.parseUnsignedLong(s));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("point id " + s + " is out of the unsigned 64-bit range");
      }
    }
    try {
      return new Uuid(uuid(s));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("point id '" + s + "' is neither an unsigned integer nor a UUID");
    }
  }
}
