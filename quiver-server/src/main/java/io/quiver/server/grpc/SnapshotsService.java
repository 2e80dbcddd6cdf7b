package io.quiver.server.grpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Timestamp;
import io.grpc.stub.StreamObserver;
import io.qdrant.client.grpc.SnapshotsGrpc;
import io.qdrant.client.grpc.SnapshotsService.CreateFullSnapshotRequest;
import io.qdrant.client.grpc.SnapshotsService.CreateSnapshotRequest;
import io.qdrant.client.grpc.SnapshotsService.CreateSnapshotResponse;
import io.qdrant.client.grpc.SnapshotsService.DeleteFullSnapshotRequest;
import io.qdrant.client.grpc.SnapshotsService.DeleteSnapshotRequest;
import io.qdrant.client.grpc.SnapshotsService.DeleteSnapshotResponse;
import io.qdrant.client.grpc.SnapshotsService.ListFullSnapshotsRequest;
import io.qdrant.client.grpc.SnapshotsService.ListSnapshotsRequest;
import io.qdrant.client.grpc.SnapshotsService.ListSnapshotsResponse;
import io.qdrant.client.grpc.SnapshotsService.SnapshotDescription;
import io.quiver.server.JsonApi.Operation;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Map;

/**
 * {@code qdrant.Snapshots}: collection snapshots (create, list, delete) through the shared operations; the files are
 * downloaded and uploaded over REST as with Qdrant. Full-storage snapshots are not supported: UNIMPLEMENTED.
 */
final class SnapshotsService extends SnapshotsGrpc.SnapshotsImplBase {
  private final Rpc rpc;

  SnapshotsService(Rpc rpc) {
    this.rpc = rpc;
  }

  @Override
  public void create(CreateSnapshotRequest r, StreamObserver<CreateSnapshotResponse> out) {
    Rpc.answer(out, "Create", start -> {
      JsonNode d = rpc.run(Operation.CREATE_SNAPSHOT, r.getCollectionName(), null, 0);
      return CreateSnapshotResponse.newBuilder().setSnapshotDescription(description(d))
          .setTime(Rpc.seconds(start)).build();
    });
  }

  @Override
  public void list(ListSnapshotsRequest r, StreamObserver<ListSnapshotsResponse> out) {
    Rpc.answer(out, "List", start -> {
      JsonNode list = rpc.run(Operation.LIST_SNAPSHOTS, r.getCollectionName(), null, 0);
      ListSnapshotsResponse.Builder b = ListSnapshotsResponse.newBuilder();
      list.forEach(d -> b.addSnapshotDescriptions(description(d)));
      return b.setTime(Rpc.seconds(start)).build();
    });
  }

  @Override
  public void delete(DeleteSnapshotRequest r, StreamObserver<DeleteSnapshotResponse> out) {
    Rpc.answer(out, "Delete", start -> {
      rpc.run(Operation.DELETE_SNAPSHOT, r.getCollectionName(), null, 0, Map.of("snapshot", r.getSnapshotName()));
      return DeleteSnapshotResponse.newBuilder().setTime(Rpc.seconds(start)).build();
    });
  }

  @Override
  public void createFull(CreateFullSnapshotRequest r, StreamObserver<CreateSnapshotResponse> out) {
    Rpc.answer(out, "CreateFull", start -> {
      throw Rpc.unimplemented("full-storage snapshots are not supported; snapshot each collection");
    });
  }

  @Override
  public void listFull(ListFullSnapshotsRequest r, StreamObserver<ListSnapshotsResponse> out) {
    Rpc.answer(out, "ListFull", start -> {
      throw Rpc.unimplemented("full-storage snapshots are not supported; snapshot each collection");
    });
  }

  @Override
  public void deleteFull(DeleteFullSnapshotRequest r, StreamObserver<DeleteSnapshotResponse> out) {
    Rpc.answer(out, "DeleteFull", start -> {
      throw Rpc.unimplemented("full-storage snapshots are not supported; snapshot each collection");
    });
  }

  private static SnapshotDescription description(JsonNode d) {
    SnapshotDescription.Builder b = SnapshotDescription.newBuilder().setName(d.path("name").asText())
        .setSize(d.path("size").asLong());
    if (d.hasNonNull("checksum")) {
      b.setChecksum(d.get("checksum").asText());
    }
    String created = d.path("creation_time").asText(null);
    if (created != null) {
      var instant = LocalDateTime.parse(created).toInstant(ZoneOffset.UTC);
      b.setCreationTime(Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()));
    }
    return b.build();
  }
}
