package io.quiver.collection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.PointId;
import io.quiver.collection.SegmentHolder.Location;
import io.quiver.filter.Filter;
import io.quiver.filter.PayloadPath;
import io.quiver.filter.Values;
import io.quiver.payload.SegmentView;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;
import org.roaringbitmap.RoaringBitmap;

/**
 * Reads points by id, in pages (scroll), counts them, and describes the collection. Every read runs under the segment
 * read lock, concurrently with writes, and sees each point either before or after any concurrent write to it.
 */
final class PointReader {
  private final SegmentHolder holder;
  private final FilterPlanner planner;
  private final Path walDir;

  PointReader(SegmentHolder holder, FilterPlanner planner, Path walDir) {
    this.holder = holder;
    this.planner = planner;
    this.walDir = walDir;
  }

  /** The points with these ids that exist, in the order asked. */
  List<PointRecord> retrieve(List<PointId> pointIds, PayloadSelector payload, Set<String> withVectors) {
    PointValidator.checkBatch(pointIds.size());
    List<PointRecord> out = new ArrayList<>();
    holder.read(() -> {
      for (PointId id : pointIds) {
        Location loc = holder.locate(Objects.requireNonNull(id, "id"));
        if (loc != null) {
          out.add(record(id, loc, payload, withVectors));
        }
      }
    });
    return out;
  }

  /** A page of points in id order (or payload order, see {@link ScrollRequest}). */
  ScrollPage scroll(ScrollRequest request) {
    List<PointRecord> out = new ArrayList<>();
    List<Double> orderValues = new ArrayList<>();
    PointId[] next = new PointId[1];
    holder.read(() -> {
      if (request.orderBy() != null) {
        scrollOrdered(request, out, orderValues);
        return;
      }
      var view = request.offset() == null ? holder.ids : holder.ids.tailMap(request.offset(), true);
      for (var e : view.entrySet()) {
        Location loc = e.getValue();
        if (loc.segment().isDeleted(loc.ordinal())) {
          loc = holder.locate(e.getKey()); // the iterator's cached location was moved by a concurrent write
          if (loc == null) {
            continue;
          }
        }
        if (!loc.segment().matches(loc.ordinal(), request.filter())
            && (!loc.segment().isDeleted(loc.ordinal())
                || (loc = holder.currentMatch(e.getKey(), request.filter())) == null)) {
          continue;
        }
        if (out.size() == request.limit()) {
          next[0] = e.getKey();
          break;
        }
        out.add(record(e.getKey(), loc, request.payload(), request.withVectors()));
      }
    });
    return new ScrollPage(out, next[0], orderValues);
  }

  private void scrollOrdered(ScrollRequest request, List<PointRecord> out, List<Double> orderValues) {
    ScrollRequest.OrderBy order = request.orderBy();
    record Keyed(double key, PointId id, Location loc) {}
    List<Keyed> keyed = new ArrayList<>();
    for (var e : holder.ids.entrySet()) {
      Location loc = e.getValue();
      if (loc.segment().isDeleted(loc.ordinal()) && (loc = holder.locate(e.getKey())) == null) {
        continue;
      }
      if (!loc.segment().matches(loc.ordinal(), request.filter())) {
        continue;
      }
      for (JsonNode v : PayloadPath.values(loc.segment().payload(loc.ordinal()), order.key())) {
        Double k = orderKey(v, order.datetime());
        if (k != null) {
          double key = k;
          if (order.startFrom() == null
              || (order.descending() ? key <= order.startFrom() : key >= order.startFrom())) {
            keyed.add(new Keyed(key, e.getKey(), loc));
          }
        }
      }
    }
    Comparator<Keyed> cmp = Comparator.comparingDouble(Keyed::key);
    if (order.descending()) {
      cmp = cmp.reversed();
    }
    keyed.sort(cmp.thenComparing(Keyed::id, PointId.ORDER));
    for (int i = 0; i < keyed.size() && out.size() < request.limit(); i++) {
      Keyed kd = keyed.get(i);
      out.add(record(kd.id(), kd.loc(), request.payload(), request.withVectors()));
      orderValues.add(kd.key());
    }
  }

  /** The value a point is ordered by: a number, or a datetime string's epoch microseconds; null for neither. */
  private static Double orderKey(JsonNode v, boolean datetime) {
    if (!datetime) {
      return v.isNumber() ? v.doubleValue() : null;
    }
    Instant t = v.isTextual() ? Values.parseDatetimeOrNull(v.textValue()) : null;
    // exact in a double within about 285 years of 1970
    return t == null ? null : (double) (t.getEpochSecond() * 1_000_000L + t.getNano() / 1000);
  }

  /**
   * Points matching {@code filter} (null: all). Exact counts every point; otherwise an estimate from a sample of at
   * most a few thousand points (exact when there is no filter).
   */
  long count(Filter filter, boolean exact) {
    long[] n = new long[1];
    holder.read(() -> {
      if (filter == null) {
        n[0] = holder.ids.size();
      } else if (exact) {
        n[0] = countExact(filter);
      } else {
        n[0] = estimateCount(filter);
      }
    });
    return n[0];
  }

  private long countExact(Filter filter) {
    // walk the id map, so a point moved by a concurrent write is counted once, in its current place
    record Matches(RoaringBitmap bitmap, int below) {}
    Map<Segment, Matches> bySegment = new HashMap<>();
    long n = 0;
    for (var e : holder.ids.entrySet()) {
      Location loc = e.getValue();
      if (loc.segment().isDeleted(loc.ordinal()) && (loc = holder.locate(e.getKey())) == null) {
        continue;
      }
      Segment s = loc.segment();
      Matches m = bySegment.computeIfAbsent(s, seg -> {
        int below = seg.ordinals();
        return new Matches(planner.indexedMatches(seg, filter), below);
      });
      boolean match = m.bitmap() != null && loc.ordinal() < m.below() ? m.bitmap().contains(loc.ordinal())
          : s.matches(loc.ordinal(), filter);
      if (!match && s.isDeleted(loc.ordinal())) {
        match = holder.currentMatch(e.getKey(), filter) != null; // moved while we looked: judge its current version
      }
      if (match) {
        n++;
      }
    }
    return n;
  }

  private long estimateCount(Filter filter) {
    List<Segment> segments = holder.segments;
    long live = holder.ids.size();
    if (segments.stream().allMatch(s -> FilterPlanner.usesIndex(filter, s.payloadIndex().fields().keySet()))) {
      double expected = 0;
      for (Segment s : segments) {
        SegmentView view = new SegmentView(RoaringBitmap.bitmapOfRange(0, s.ordinals()), s::payload, s::idOf, null);
        int ords = Math.max(1, s.ordinals());
        // the index counts tombstoned ordinals too: scale by the segment's live fraction
        expected += s.payloadIndex().estimate(filter, view).expected() * ((double) s.liveCount() / ords);
      }
      return Math.round(expected);
    }
    int sampleTarget = 4096;
    long seen = 0;
    long hits = 0;
    for (Segment s : segments) {
      int ords = s.ordinals();
      int step = Math.max(1, (int) Math.ceil((double) ords * Math.max(1, segments.size()) / sampleTarget));
      for (int o = 0; o < ords; o += step) {
        if (!s.isDeleted(o)) {
          seen++;
          if (s.matches(o, filter)) {
            hits++;
          }
        }
      }
    }
    return seen == 0 ? 0 : Math.round((double) hits / seen * live);
  }

  CollectionInfo info() {
    long[] v = new long[5];
    int[] segs = new int[1];
    boolean[] green = {true};
    StorageUsage[] storage = {StorageUsage.EMPTY};
    CollectionConfig config = holder.config;
    holder.read(() -> {
      for (Segment s : holder.segments) {
        storage[0] = storage[0].plus(s.storage());
        v[0] += s.indexedPoints();
        v[1] += s.heapBytes() + s.cacheBytes();
        v[2] += s.mappedBytes();
        if (s instanceof SealedSegment sealed) {
          v[4] += sealed.quantizedBytes();
          if (sealed.payloadLinksStale(config)) {
            green[0] = false; // the optimizer has payload links left to build
          }
        }
        if (s instanceof MutableSegment m && !m.fullyIndexed()) {
          green[0] = false;
        }
      }
      segs[0] = holder.segments.size();
    });
    try (Stream<Path> files = Files.list(walDir)) {
      v[3] = files.mapToLong(p -> p.toFile().length()).sum();
    } catch (IOException e) {
      v[3] = -1;
    }
    return new CollectionInfo(holder.ids.size(), segs[0], v[0], v[1], v[2], v[3], v[4], green[0] ? "green" : "yellow",
        config, storage[0]);
  }

  /** The point at {@code loc} as a record: its payload as selected (a copy), and the vectors asked for. */
  PointRecord record(PointId id, Location loc, PayloadSelector payload, Set<String> withVectors) {
    ObjectNode p = payload.select(loc.segment().payload(loc.ordinal()));
    if (p != null && payload == PayloadSelector.ALL) {
      p = p.deepCopy(); // stored payloads are shared; callers may mutate what they get
    }
    return withVectors == null ? new PointRecord(id, p, null)
        : new PointRecord(id, p, holder.vectorsOf(loc, withVectors), holder.sparseOf(loc, withVectors));
  }
}
