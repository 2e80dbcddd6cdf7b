package io.quiver;

/**
 * A request Quiver refused or could not carry out. The subclasses say whose fault it was, so a server can answer with
 * the right status: {@link InvalidInput} (400), {@link NotFound} (404), {@link AlreadyExists} (409) and
 * {@link Storage} (500: the disk failed; state in memory is unchanged) and {@link OverBudget} (507: the memory budget
 * would be exceeded; nothing was applied).
 */
public class QuiverException extends RuntimeException {
  public QuiverException(String message) {
    super(message);
  }

  public QuiverException(String message, Throwable cause) {
    super(message, cause);
  }

  /** The request itself is wrong: wrong dimension, NaN, bad id, payload too large, unknown vector name. */
  public static final class InvalidInput extends QuiverException {
    public InvalidInput(String message) {
      super(message);
    }
  }

  /** An unknown collection, alias or field. */
  public static final class NotFound extends QuiverException {
    public NotFound(String message) {
      super(message);
    }
  }

  /** A collection or alias with that name exists. */
  public static final class AlreadyExists extends QuiverException {
    public AlreadyExists(String message) {
      super(message);
    }
  }

  /** Reading or writing the disk failed (disk full, I/O error, corruption); nothing was acknowledged. */
  public static final class Storage extends QuiverException {
    public Storage(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * The operation would grow the RAM Quiver holds past its memory budget; nothing was applied. Deleting points,
   * dropping quantization or raising the budget makes room.
   */
  public static final class OverBudget extends QuiverException {
    public OverBudget(String message) {
      super(message);
    }
  }
}
