package io.quiver.agent.learning;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.PointId;
import io.quiver.Quiver;
import io.quiver.QuiverException;
import io.quiver.collection.Collection;
import io.quiver.collection.CollectionConfig;
import io.quiver.collection.PayloadSelector;
import io.quiver.collection.Point;
import io.quiver.collection.PointRecord;
import io.quiver.collection.ScoredPoint;
import io.quiver.collection.ScrollPage;
import io.quiver.collection.ScrollRequest;
import io.quiver.collection.SearchRequest;
import io.quiver.collection.SparseVectorParams;
import io.quiver.collection.VectorParams;
import io.quiver.distance.Metric;
import io.quiver.filter.Condition;
import io.quiver.filter.Filter;
import io.quiver.payload.FieldSchema;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The three collections learning sessions live in, and the codecs between their payloads and the records here.
 * Every collection is written with {@code FSYNC} durability, so a write returns once it is durable.
 * <ul>
 *   <li>{@value #SESSIONS}: one point per session (id: the session's UUID); indexes session_id, user_id, status,
 *       created_ts. Vectorless: its only vector field is a sparse one no point fills.</li>
 *   <li>{@value #TRANSITIONS}: one point per feedback (id: name UUID of session and seq); indexes session_id, seq,
 *       ts, state, action, success. Vectorless likewise.</li>
 *   <li>{@value #QVALUES}: one point per (session, state) row of a Q-table (id: name UUID of session and state key),
 *       its dense vector {@value #STATE_VECTOR} the state text's embedding; indexes session_id, state.</li>
 * </ul>
 */
final class LearningStore {
  static final String SESSIONS = "agent_learning_sessions";
  static final String TRANSITIONS = "agent_learning_transitions";
  static final String QVALUES = "agent_learning_qvalues";
  static final String STATE_VECTOR = "state";
  private static final String NO_VECTOR = "none";
  private static final int PAGE = 1024;

  private final ObjectMapper json = new ObjectMapper();
  private final Collection sessions;
  private final Collection transitions;
  private final Collection qvalues;

  private LearningStore(Collection sessions, Collection transitions, Collection qvalues) {
    this.sessions = sessions;
    this.transitions = transitions;
    this.qvalues = qvalues;
  }

  /** Opens the collections in {@code quiver}, creating them on first use; {@code dimension}: the embedder's. */
  static LearningStore open(Quiver quiver, int dimension) throws IOException {
    Collection s = collection(quiver, SESSIONS, CollectionConfig.builder()
        .sparseVector(NO_VECTOR, SparseVectorParams.DEFAULT)
        .payloadIndex("session_id", FieldSchema.KEYWORD).payloadIndex("user_id", FieldSchema.KEYWORD)
        .payloadIndex("status", FieldSchema.KEYWORD).payloadIndex("created_ts", FieldSchema.INTEGER).build());
    Collection t = collection(quiver, TRANSITIONS, CollectionConfig.builder()
        .sparseVector(NO_VECTOR, SparseVectorParams.DEFAULT)
        .payloadIndex("session_id", FieldSchema.KEYWORD).payloadIndex("seq", FieldSchema.INTEGER)
        .payloadIndex("ts", FieldSchema.INTEGER).payloadIndex("state", FieldSchema.KEYWORD)
        .payloadIndex("action", FieldSchema.KEYWORD).payloadIndex("success", FieldSchema.BOOL).build());
    Collection q = collection(quiver, QVALUES, CollectionConfig.builder()
        .vector(STATE_VECTOR, VectorParams.of(dimension, Metric.COSINE))
        .payloadIndex("session_id", FieldSchema.KEYWORD).payloadIndex("state", FieldSchema.KEYWORD).build());
    VectorParams have = q.config().vector(STATE_VECTOR);
    if (have == null || have.size() != dimension) {
      throw new QuiverException.InvalidInput("collection " + QVALUES + " holds state vectors of "
          + (have == null ? "no" : have.size()) + " dimensions; the embedder given has " + dimension);
    }
    return new LearningStore(s, t, q);
  }

  private static Collection collection(Quiver quiver, String name, CollectionConfig config) throws IOException {
    return quiver.exists(name) ? quiver.collection(name) : quiver.createCollection(name, config);
  }

  static Filter bySession(String sessionId) {
    return Filter.must(match("session_id", sessionId));
  }

  static Condition match(String key, String value) {
    return new Condition.Match(key, new ObjectMapper().getNodeFactory().textNode(value));
  }

  // ------------------------------------------------------------------ sessions

  void writeSession(SessionInfo s) {
    ObjectNode p = json.createObjectNode();
    p.put("session_id", s.sessionId());
    p.put("user_id", s.userId());
    p.put("session_type", s.type().wireName());
    p.put("status", s.active() ? "active" : "ended");
    p.set("config", json.valueToTree(s.config().toMap()));
    p.put("created_ts", s.createdTs());
    p.put("ended_ts", s.endedTs());
    p.put("feedback_count", s.feedbackCount());
    p.put("train_runs", s.trainRuns());
    p.put("pending_seq", s.pendingSeq());
    sessions.upsert(List.of(new Point(sessionPoint(s.sessionId()), Map.of(), p)));
  }

  /** The session {@code id}, or null when no session has it. */
  SessionInfo readSession(String id) {
    PointId pid = sessionPointOrNull(id);
    PointRecord r = pid == null ? null : sessions.get(pid);
    return r == null || r.payload() == null ? null : session(r.payload());
  }

  List<SessionInfo> allSessions() {
    List<SessionInfo> out = new ArrayList<>();
    for (PointRecord r : scroll(sessions, null)) {
      out.add(session(r.payload()));
    }
    return out;
  }

  private SessionInfo session(ObjectNode p) {
    @SuppressWarnings("unchecked")
    Map<String, Object> cfg = json.convertValue(p.get("config"), Map.class);
    return new SessionInfo(p.get("session_id").asText(), p.get("user_id").asText(),
        SessionType.parse(p.get("session_type").asText(), "session_type"), LearningConfig.fromMap(cfg),
        "active".equals(p.get("status").asText()), p.get("created_ts").asLong(), p.get("ended_ts").asLong(),
        p.get("feedback_count").asLong(), p.get("train_runs").asLong(), p.get("pending_seq").asLong());
  }

  private static PointId sessionPoint(String id) {
    return new PointId.Uuid(UUID.fromString(id));
  }

  private static PointId sessionPointOrNull(String id) {
    try {
      return sessionPoint(id);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  // ------------------------------------------------------------------ transitions

  void writeTransition(Transition t) {
    transitions.upsert(List.of(new Point(transitionPoint(t.sessionId(), t.seq()), Map.of(), payload(t))));
  }

  Transition transition(String sessionId, long seq) {
    PointRecord r = transitions.get(transitionPoint(sessionId, seq));
    return r == null ? null : transition(r.payload());
  }

  /** The transitions {@code filter} selects, in (session, seq) order. */
  List<Transition> transitions(Filter filter) {
    List<Transition> out = new ArrayList<>();
    for (PointRecord r : scroll(transitions, filter)) {
      out.add(transition(r.payload()));
    }
    out.sort((a, b) -> a.sessionId().equals(b.sessionId()) ? Long.compare(a.seq(), b.seq())
        : a.sessionId().compareTo(b.sessionId()));
    return out;
  }

  /** The highest seq stored for {@code sessionId}, 0 for none. */
  long maxSeq(String sessionId) {
    ScrollPage page = transitions.scroll(new ScrollRequest(bySession(sessionId), null, 1, PayloadSelector.ALL, null,
        new ScrollRequest.OrderBy("seq", true, null)));
    return page.points().isEmpty() ? 0 : page.points().getFirst().payload().get("seq").asLong();
  }

  /** The residuals of the latest {@code limit} transitions with seq <= {@code maxSeq} that have one, oldest first. */
  List<Double> latestResiduals(String sessionId, long maxSeq, int limit) {
    List<Double> out = new ArrayList<>();
    Double start = (double) maxSeq;
    while (out.size() < limit) {
      ScrollPage page = transitions.scroll(new ScrollRequest(bySession(sessionId), null, PAGE, PayloadSelector.ALL,
          null, new ScrollRequest.OrderBy("seq", true, start)));
      if (page.points().isEmpty()) {
        break;
      }
      for (PointRecord r : page.points()) {
        JsonNode res = r.payload().get("residual");
        if (res != null && res.isNumber() && out.size() < limit) {
          out.add(res.asDouble());
        }
        start = r.payload().get("seq").asDouble() - 1;
      }
      if (page.points().size() < PAGE) {
        break;
      }
    }
    return out.reversed();
  }

  private ObjectNode payload(Transition t) {
    ObjectNode p = json.createObjectNode();
    p.put("session_id", t.sessionId());
    p.put("seq", t.seq());
    p.put("ts", t.ts());
    p.put("state", t.state());
    p.put("state_text", t.stateText());
    p.put("action", t.action());
    p.put("reward", t.reward());
    p.put("next_state", t.nextState());
    p.put("next_state_text", t.nextStateText());
    p.put("next_action", t.nextAction());
    p.put("success", t.success());
    if (Double.isFinite(t.residual())) {
      p.put("residual", t.residual());
    }
    p.put("learned", t.learned());
    if (t.details() != null) {
      p.set("details", t.details());
    }
    return p;
  }

  private static Transition transition(ObjectNode p) {
    JsonNode res = p.get("residual");
    return new Transition(p.get("session_id").asText(), p.get("seq").asLong(), p.get("ts").asLong(),
        p.get("state").asText(), p.get("state_text").asText(), p.get("action").asText(), p.get("reward").asDouble(),
        text(p, "next_state"), text(p, "next_state_text"), text(p, "next_action"), p.get("success").asBoolean(),
        res != null && res.isNumber() ? res.asDouble() : Double.NaN, p.get("learned").asBoolean(),
        p.get("details") instanceof ObjectNode d ? d : null);
  }

  private static String text(ObjectNode p, String key) {
    JsonNode v = p.get(key);
    return v == null || v.isNull() ? null : v.asText();
  }

  private static PointId transitionPoint(String sessionId, long seq) {
    return name("t\u0000" + sessionId + "\u0000" + seq);
  }

  // ------------------------------------------------------------------ Q-table rows

  /** Writes {@code rows} of the session in one batch (one durable write). */
  void writeRows(String sessionId, List<QTable.Row> rows) {
    if (rows.isEmpty()) {
      return;
    }
    List<Point> points = new ArrayList<>();
    for (QTable.Row r : rows) {
      ObjectNode p = json.createObjectNode();
      p.put("session_id", sessionId);
      p.put("state", r.key);
      p.put("state_text", r.text);
      p.put("seq", r.seq);
      p.put("best_action", r.best());
      ObjectNode cells = p.putObject("actions");
      r.cells.forEach((a, c) -> {
        ObjectNode cell = cells.putObject(a);
        cell.put("value", c.value);
        cell.put("visits", c.visits);
        cell.put("reward_sum", c.rewardSum);
      });
      points.add(new Point(rowPoint(sessionId, r.key), Map.of(STATE_VECTOR, r.vector), p));
    }
    qvalues.upsert(points);
  }

  /** The session's table as stored. */
  QTable readTable(String sessionId) {
    QTable t = new QTable();
    for (PointRecord r : scroll(qvalues, bySession(sessionId), Set.of(STATE_VECTOR))) {
      t.put(row(r.payload(), r.vectors().get(STATE_VECTOR)));
    }
    return t;
  }

  /** A stored row and its cosine similarity to a query. */
  record ScoredRow(String sessionId, QTable.Row row, double similarity) {}

  /** The rows nearest to {@code vector} (within {@code sessionId} if not null) with similarity >= {@code min}. */
  List<ScoredRow> nearestRows(float[] vector, String sessionId, int limit, double min) {
    SearchRequest req = SearchRequest.builder(vector).using(STATE_VECTOR).limit(limit).exact(true)
        .filter(sessionId == null ? null : bySession(sessionId)).scoreThreshold((float) min).withPayload(true)
        .build();
    List<ScoredRow> out = new ArrayList<>();
    for (ScoredPoint p : qvalues.search(req)) {
      out.add(new ScoredRow(p.payload().get("session_id").asText(), row(p.payload(), null), p.score()));
    }
    return out;
  }

  private static QTable.Row row(ObjectNode p, float[] vector) {
    QTable.Row row = new QTable.Row(p.get("state").asText(), p.get("state_text").asText());
    row.seq = p.get("seq").asLong();
    row.vector = vector;
    p.get("actions").properties().forEach(e -> row.cells.put(e.getKey(), new QTable.Cell(
        e.getValue().get("value").asDouble(), e.getValue().get("visits").asLong(),
        e.getValue().get("reward_sum").asDouble())));
    return row;
  }

  private static PointId rowPoint(String sessionId, String stateKey) {
    return name("q\u0000" + sessionId + "\u0000" + stateKey);
  }

  // ------------------------------------------------------------------ helpers

  private static PointId name(String s) {
    return new PointId.Uuid(UUID.nameUUIDFromBytes(s.getBytes(StandardCharsets.UTF_8)));
  }

  private static List<PointRecord> scroll(Collection c, Filter filter) {
    return scroll(c, filter, null);
  }

  private static List<PointRecord> scroll(Collection c, Filter filter, Set<String> vectors) {
    List<PointRecord> out = new ArrayList<>();
    PointId offset = null;
    do {
      ScrollPage page = c.scroll(new ScrollRequest(filter, offset, PAGE, PayloadSelector.ALL, vectors, null));
      out.addAll(page.points());
      offset = page.nextOffset();
    } while (offset != null);
    return out;
  }
}
