package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.AliasChange;
import io.quiver.Quiver;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/** {@code /aliases}, {@code /collections/{name}/aliases} and the alias actions of {@code /collections/aliases}. */
final class AliasEndpoints {
  private final Endpoints ep;
  private final Quiver db;

  AliasEndpoints(Endpoints ep) {
    this.ep = ep;
    this.db = ep.db;
  }

  /** GET /aliases. */
  JsonNode all(Call req) {
    return aliases(null);
  }

  /** GET /collections/{name}/aliases. */
  JsonNode ofCollection(Call req) {
    return aliases(ep.collection(req).name());
  }

  private JsonNode aliases(String collection) {
    ObjectNode o = ep.json.createObjectNode();
    ArrayNode list = o.putArray("aliases");
    new TreeMap<>(db.aliases()).forEach((alias, target) -> {
      if (collection == null || collection.equals(target)) {
        list.addObject().put("alias_name", alias).put("collection_name", target);
      }
    });
    return o;
  }

  /** POST /collections/aliases: the actions apply all or none ({@link Quiver#updateAliases}). */
  JsonNode update(Call req) throws Exception {
    ObjectNode body = ep.body(req);
    Json.onlyFields(body, "body", "actions");
    JsonNode actions = body.get("actions");
    if (actions == null || !actions.isArray()) {
      throw ApiError.badRequest("body.actions: expected an array of alias actions");
    }
    List<AliasChange> changes = new ArrayList<>();
    for (int i = 0; i < actions.size(); i++) {
      String path = "body.actions[" + i + "]";
      JsonNode a = Json.object(actions.get(i), path);
      if (a.size() != 1) {
        throw ApiError.badRequest(path + ": expected one of create_alias, delete_alias, rename_alias");
      }
      String kind = a.fieldNames().next();
      ObjectNode args = Json.object(a.get(kind), path + "." + kind);
      String p = path + "." + kind;
      changes.add(switch (kind) {
        case "create_alias" -> {
          Json.onlyFields(args, p, "collection_name", "alias_name");
          yield new AliasChange.Create(required(args, "alias_name", p), required(args, "collection_name", p));
        }
        case "delete_alias" -> {
          Json.onlyFields(args, p, "alias_name");
          yield new AliasChange.Delete(required(args, "alias_name", p));
        }
        case "rename_alias" -> {
          Json.onlyFields(args, p, "old_alias_name", "new_alias_name");
          yield new AliasChange.Rename(required(args, "old_alias_name", p), required(args, "new_alias_name", p));
        }
        default -> throw ApiError.badRequest(path + ": unknown action `" + kind + "`");
      });
    }
    db.updateAliases(changes);
    return Json.NODES.booleanNode(true);
  }

  private static String required(JsonNode n, String field, String path) {
    String v = Json.stringField(n, field, path, null);
    if (v == null) {
      throw ApiError.badRequest(path + "." + field + ": required");
    }
    return v;
  }
}
