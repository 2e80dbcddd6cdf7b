package io.quiver.server.grpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.grpc.stub.StreamObserver;
import io.qdrant.client.grpc.Collections.AliasDescription;
import io.qdrant.client.grpc.Collections.AliasOperations;
import io.qdrant.client.grpc.Collections.ChangeAliases;
import io.qdrant.client.grpc.Collections.CollectionClusterInfoRequest;
import io.qdrant.client.grpc.Collections.CollectionClusterInfoResponse;
import io.qdrant.client.grpc.Collections.CollectionDescription;
import io.qdrant.client.grpc.Collections.CollectionExists;
import io.qdrant.client.grpc.Collections.CollectionExistsRequest;
import io.qdrant.client.grpc.Collections.CollectionExistsResponse;
import io.qdrant.client.grpc.Collections.CollectionOperationResponse;
import io.qdrant.client.grpc.Collections.CreateCollection;
import io.qdrant.client.grpc.Collections.CreateShardKeyRequest;
import io.qdrant.client.grpc.Collections.CreateShardKeyResponse;
import io.qdrant.client.grpc.Collections.DeleteCollection;
import io.qdrant.client.grpc.Collections.DeleteShardKeyRequest;
import io.qdrant.client.grpc.Collections.DeleteShardKeyResponse;
import io.qdrant.client.grpc.Collections.GetCollectionInfoRequest;
import io.qdrant.client.grpc.Collections.GetCollectionInfoResponse;
import io.qdrant.client.grpc.Collections.ListAliasesRequest;
import io.qdrant.client.grpc.Collections.ListAliasesResponse;
import io.qdrant.client.grpc.Collections.ListCollectionAliasesRequest;
import io.qdrant.client.grpc.Collections.ListCollectionsRequest;
import io.qdrant.client.grpc.Collections.ListCollectionsResponse;
import io.qdrant.client.grpc.Collections.ListShardKeysRequest;
import io.qdrant.client.grpc.Collections.ListShardKeysResponse;
import io.qdrant.client.grpc.Collections.LocalShardInfo;
import io.qdrant.client.grpc.Collections.ReplicaState;
import io.qdrant.client.grpc.Collections.UpdateCollection;
import io.qdrant.client.grpc.Collections.UpdateCollectionClusterSetupRequest;
import io.qdrant.client.grpc.Collections.UpdateCollectionClusterSetupResponse;
import io.qdrant.client.grpc.CollectionsGrpc;
import io.quiver.server.JsonApi.Operation;

/**
 * {@code qdrant.Collections}: collections and aliases through the shared operations. Quiver is one node with one shard
 * per collection: cluster info reports that shard, shard keys and cluster changes answer UNIMPLEMENTED.
 */
final class CollectionsService extends CollectionsGrpc.CollectionsImplBase {
  private final Rpc rpc;

  CollectionsService(Rpc rpc) {
    this.rpc = rpc;
  }

  @Override
  public void get(GetCollectionInfoRequest r, StreamObserver<GetCollectionInfoResponse> out) {
    Rpc.answer(out, "Get", start -> {
      JsonNode info = rpc.run(Operation.GET_COLLECTION, r.getCollectionName(), null, 0);
      return GetCollectionInfoResponse.newBuilder().setResult(CollectionConfigs.info(info))
          .setTime(Rpc.seconds(start)).build();
    });
  }

  @Override
  public void list(ListCollectionsRequest r, StreamObserver<ListCollectionsResponse> out) {
    Rpc.answer(out, "List", start -> {
      JsonNode res = rpc.run(Operation.LIST_COLLECTIONS, null, null, 0);
      ListCollectionsResponse.Builder b = ListCollectionsResponse.newBuilder();
      res.path("collections").forEach(c -> b.addCollections(CollectionDescription.newBuilder()
          .setName(c.path("name").asText())));
      return b.setTime(Rpc.seconds(start)).build();
    });
  }

  @Override
  public void create(CreateCollection r, StreamObserver<CollectionOperationResponse> out) {
    Rpc.answer(out, "Create", start -> {
      JsonNode res = rpc.run(Operation.CREATE_COLLECTION, r.getCollectionName(), CollectionConfigs.create(r), 0);
      return CollectionOperationResponse.newBuilder().setResult(res.asBoolean()).setTime(Rpc.seconds(start)).build();
    });
  }

  @Override
  public void update(UpdateCollection r, StreamObserver<CollectionOperationResponse> out) {
    Rpc.answer(out, "Update", start -> {
      JsonNode res = rpc.run(Operation.UPDATE_COLLECTION, r.getCollectionName(), CollectionConfigs.update(r), 0);
      return CollectionOperationResponse.newBuilder().setResult(res.asBoolean()).setTime(Rpc.seconds(start)).build();
    });
  }

  @Override
  public void delete(DeleteCollection r, StreamObserver<CollectionOperationResponse> out) {
    Rpc.answer(out, "Delete", start -> {
      JsonNode res = rpc.run(Operation.DELETE_COLLECTION, r.getCollectionName(), null, 0);
      return CollectionOperationResponse.newBuilder().setResult(res.asBoolean()).setTime(Rpc.seconds(start)).build();
    });
  }

  @Override
  public void collectionExists(CollectionExistsRequest r, StreamObserver<CollectionExistsResponse> out) {
    Rpc.answer(out, "CollectionExists", start -> {
      JsonNode res = rpc.run(Operation.COLLECTION_EXISTS, r.getCollectionName(), null, 0);
      return CollectionExistsResponse.newBuilder().setResult(CollectionExists.newBuilder()
          .setExists(res.path("exists").asBoolean())).setTime(Rpc.seconds(start)).build();
    });
  }

  @Override
  public void updateAliases(ChangeAliases r, StreamObserver<CollectionOperationResponse> out) {
    Rpc.answer(out, "UpdateAliases", start -> {
      ObjectNode body = Rpc.body();
      ArrayNode actions = body.putArray("actions");
      for (AliasOperations a : r.getActionsList()) {
        ObjectNode o = actions.addObject();
        switch (a.getActionCase()) {
          case CREATE_ALIAS -> o.putObject("create_alias")
              .put("collection_name", a.getCreateAlias().getCollectionName())
              .put("alias_name", a.getCreateAlias().getAliasName());
          case RENAME_ALIAS -> o.putObject("rename_alias")
              .put("old_alias_name", a.getRenameAlias().getOldAliasName())
              .put("new_alias_name", a.getRenameAlias().getNewAliasName());
          case DELETE_ALIAS -> o.putObject("delete_alias").put("alias_name", a.getDeleteAlias().getAliasName());
          case ACTION_NOT_SET -> throw Filters.invalid("an alias action is empty");
        }
      }
      JsonNode res = rpc.run(Operation.UPDATE_ALIASES, null, body, 0);
      return CollectionOperationResponse.newBuilder().setResult(res.asBoolean()).setTime(Rpc.seconds(start)).build();
    });
  }

  @Override
  public void listCollectionAliases(ListCollectionAliasesRequest r, StreamObserver<ListAliasesResponse> out) {
    Rpc.answer(out, "ListCollectionAliases",
        start -> aliases(rpc.run(Operation.COLLECTION_ALIASES, r.getCollectionName(), null, 0), start));
  }

  @Override
  public void listAliases(ListAliasesRequest r, StreamObserver<ListAliasesResponse> out) {
    Rpc.answer(out, "ListAliases", start -> aliases(rpc.run(Operation.LIST_ALIASES, null, null, 0), start));
  }

  private static ListAliasesResponse aliases(JsonNode res, long start) {
    ListAliasesResponse.Builder b = ListAliasesResponse.newBuilder();
    res.path("aliases").forEach(a -> b.addAliases(AliasDescription.newBuilder()
        .setAliasName(a.path("alias_name").asText()).setCollectionName(a.path("collection_name").asText())));
    return b.setTime(Rpc.seconds(start)).build();
  }

  @Override
  public void collectionClusterInfo(CollectionClusterInfoRequest r,
      StreamObserver<CollectionClusterInfoResponse> out) {
    Rpc.answer(out, "CollectionClusterInfo", start -> {
      JsonNode info = rpc.run(Operation.GET_COLLECTION, r.getCollectionName(), null, 0);
      return CollectionClusterInfoResponse.newBuilder().setPeerId(0).setShardCount(1)
          .addLocalShards(LocalShardInfo.newBuilder().setShardId(0)
              .setPointsCount(info.path("points_count").asLong()).setState(ReplicaState.Active))
          .build();
    });
  }

  @Override
  public void updateCollectionClusterSetup(UpdateCollectionClusterSetupRequest r,
      StreamObserver<UpdateCollectionClusterSetupResponse> out) {
    Rpc.answer(out, "UpdateCollectionClusterSetup", start -> {
      throw Rpc.unimplemented("Quiver runs as a single node: there are no shards to move, replicate or drop");
    });
  }

  @Override
  public void createShardKey(CreateShardKeyRequest r, StreamObserver<CreateShardKeyResponse> out) {
    Rpc.answer(out, "CreateShardKey", start -> {
      throw Rpc.unimplemented("shard keys (custom sharding) are not supported by a single-node Quiver");
    });
  }

  @Override
  public void deleteShardKey(DeleteShardKeyRequest r, StreamObserver<DeleteShardKeyResponse> out) {
    Rpc.answer(out, "DeleteShardKey", start -> {
      throw Rpc.unimplemented("shard keys (custom sharding) are not supported by a single-node Quiver");
    });
  }

  @Override
  public void listShardKeys(ListShardKeysRequest r, StreamObserver<ListShardKeysResponse> out) {
    Rpc.answer(out, "ListShardKeys", start -> {
      if (!rpc.api.db().exists(r.getCollectionName())) {
        throw io.grpc.Status.NOT_FOUND.withDescription("Not found: Collection `" + r.getCollectionName()
            + "` doesn't exist!").asRuntimeException();
      }
      return ListShardKeysResponse.newBuilder().setTime(Rpc.seconds(start)).build(); // no custom sharding: none
    });
  }
}
