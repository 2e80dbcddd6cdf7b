package io.quiver.payload;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.PointId;
import java.util.Objects;
import java.util.function.IntFunction;
import java.util.function.ToIntFunction;
import org.roaringbitmap.RoaringBitmap;

/**
 * What filter evaluation needs from a segment besides its payload index.
 *
 * @param live the ordinals that are live now; treated as read-only, so pass a snapshot if the segment keeps
 *     changing it
 * @param payloads the payload of a live ordinal (a JSON object, or null for none)
 * @param ids the point id of a live ordinal (never null for a live ordinal)
 * @param ordinalOf the live ordinal of a point id in this segment, or -1 when the segment does not hold it; null
 *     when the segment has no id lookup, and then {@code has_id} is checked point by point
 */
public record SegmentView(RoaringBitmap live, IntFunction<JsonNode> payloads, IntFunction<PointId> ids,
    ToIntFunction<PointId> ordinalOf) {
  public SegmentView {
    Objects.requireNonNull(live, "live");
    Objects.requireNonNull(payloads, "payloads");
    Objects.requireNonNull(ids, "ids");
  }
}
