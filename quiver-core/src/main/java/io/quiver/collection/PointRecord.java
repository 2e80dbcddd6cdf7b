package io.quiver.collection;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.PointId;
import java.util.Map;

/** A stored point as read back: payload and vectors are null when not requested. */
public record PointRecord(PointId id, ObjectNode payload, Map<String, float[]> vectors) {}
