package io.quiver.collection;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.QuiverException;
import io.quiver.payload.FieldSchema;
import io.quiver.storage.AtomicFiles;
import io.quiver.text.TextIndexParams;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Changes to a collection's configuration after create: payload indexes, quantization and {@code payload_m}. Each
 * persists the new {@code collection.json} first, under the optimizer lock then the write lock (the holder's order),
 * then brings the segments in line.
 */
final class ConfigChanges {
  private final Path dir;
  private final ObjectMapper json;
  private final SegmentHolder holder;
  private final PointUpdater updater;
  private final SegmentMaintenance maintenance;

  ConfigChanges(Path dir, ObjectMapper json, SegmentHolder holder, PointUpdater updater,
      SegmentMaintenance maintenance) {
    this.dir = dir;
    this.json = json;
    this.holder = holder;
    this.updater = updater;
    this.maintenance = maintenance;
  }

  /**
   * Adds ({@code schema} non-null) or drops the payload index on {@code key} in the config and every segment;
   * {@code text} configures a text index.
   */
  void schema(String key, FieldSchema schema, TextIndexParams text, boolean isTenant) throws IOException {
    holder.optimizerLock.lock();
    try {
      holder.writeLock.lock();
      try {
        updater.checkWritable();
        CollectionConfig.Builder b = holder.config.toBuilder();
        CollectionConfig next = schema == null ? b.withoutPayloadIndex(key).build()
            : schema == FieldSchema.TEXT ? b.payloadIndex(key, text).build()
            : b.payloadIndex(key, schema, isTenant).build();
        writeConfig(next);
        for (Segment s : holder.segments) {
          if (s instanceof SealedSegment sealed) {
            sealed.updatePayloadSchema(key, schema, next.textIndex(key));
          } else if (schema == null) {
            s.payloadIndex().dropField(key);
          } else {
            s.payloadIndex().createField(key, schema, next.textIndex(key), s::payload);
          }
        }
      } finally {
        holder.writeLock.unlock();
      }
    } finally {
      holder.optimizerLock.unlock();
    }
  }

  /** {@link Collection#updateQuantization}. */
  void quantization(QuantizationConfig quantization) throws IOException {
    holder.optimizerLock.lock();
    try {
      List<SealedSegment> sealed = persistConfig(c -> c.toBuilder().quantization(quantization).build());
      CollectionConfig config = holder.config;
      maintenance.run(() -> {
        for (SealedSegment s : sealed) {
          s.requantize(config); // the optimizer lock keeps merges from closing s meanwhile
        }
      });
    } finally {
      holder.optimizerLock.unlock();
    }
  }

  /** {@link Collection#createSparseVector}. */
  void addSparseVector(String name, SparseVectorParams params) throws IOException {
    holder.optimizerLock.lock();
    try {
      persistConfig(c -> {
        if (c.vector(name) != null || c.sparseVector(name) != null) {
          throw new QuiverException.InvalidInput("collection " + holder.name + " already has a vector field '"
              + name + "'");
        }
        try {
          return c.toBuilder().sparseVector(name, params).build();
        } catch (IllegalArgumentException e) {
          throw new QuiverException.InvalidInput(e.getMessage());
        }
      });
    } finally {
      holder.optimizerLock.unlock();
    }
  }

  /** {@link Collection#updateHnswPayloadM}, but for waking the optimizer, which the caller does. */
  void payloadM(int payloadM) throws IOException {
    holder.optimizerLock.lock();
    try {
      List<SealedSegment> sealed = persistConfig(c -> {
        CollectionConfig.Builder b = c.toBuilder();
        for (var e : c.vectors().entrySet()) {
          b.vector(e.getKey(), e.getValue().withHnsw(e.getValue().hnsw().withPayloadM(payloadM)));
        }
        return b.build();
      });
      if (payloadM == 0) {
        for (SealedSegment s : sealed) {
          s.relink(holder.config); // only deletes: cheap enough to do before answering
        }
      }
    } finally {
      holder.optimizerLock.unlock();
    }
  }

  /**
   * Under the write lock (the caller holds the optimizer lock): persists {@code change} applied to the current config
   * as the collection's config, and returns the sealed segments as they are then.
   */
  private List<SealedSegment> persistConfig(UnaryOperator<CollectionConfig> change) throws IOException {
    holder.writeLock.lock();
    try {
      updater.checkWritable();
      writeConfig(change.apply(holder.config));
      return holder.sealed();
    } finally {
      holder.writeLock.unlock();
    }
  }

  /** Writes {@code next} as {@code collection.json}, then makes it current. Caller holds the write lock. */
  private void writeConfig(CollectionConfig next) throws IOException {
    AtomicFiles.write(dir.resolve("collection.json"), json.writeValueAsBytes(ConfigCodec.toJson(next, json)));
    holder.config = next;
  }
}
