package io.quiver.agent.learning;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.Quiver;
import io.quiver.QuiverException;
import io.quiver.text.DenseTextModel;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Learning sessions on Quiver collections: start, predict, feedback, train, end, and the reads over them. Every
 * change is durable when the call returns (the collections write with fsync); a reopened store continues exactly
 * where it left. Bad input is refused before anything changes. Calls are serialised (one lock per instance).
 *
 * <p>Write order of a feedback: its transition, then the SARSA transition it completed, then the changed Q-table rows
 * (one batch, each row stamped with the feedback's seq), then the session record. A feedback is acknowledged once
 * the session record is written; on load, a stored transition beyond the session's count is an interrupted feedback
 * and is learned from again unless its rows were already written (a row stamped with its seq).
 */
public final class LearningSessions {
  private final LearningStore store;
  private final DenseTextModel embedder;
  private final Clock clock;
  private final Map<String, LiveSession> live = new HashMap<>();

  /**
   * Opens the learning collections of {@code quiver} (creating them on first use); {@code embedder} embeds state
   * texts for similarity (transfer, explain).
   */
  public LearningSessions(Quiver quiver, DenseTextModel embedder, Clock clock) throws IOException {
    this.store = LearningStore.open(quiver, embedder.dimension());
    this.embedder = embedder;
    this.clock = clock;
  }

  public LearningSessions(Quiver quiver, DenseTextModel embedder) throws IOException {
    this(quiver, embedder, Clock.systemUTC());
  }

  /** The embedder's name, as reported in stats. */
  public String embedderName() {
    return embedder.name();
  }

  /** Starts a session: {@code sessionType} a {@link SessionType} name, {@code config} a request's config object. */
  public SessionInfo start(String userId, String sessionType, Map<String, ?> config) {
    if (userId == null || userId.isBlank()) {
      throw new QuiverException.InvalidInput("user_id is required");
    }
    SessionType type = SessionType.parse(sessionType, "session_type");
    return start(userId, type, LearningConfig.fromMap(config));
  }

  public synchronized SessionInfo start(String userId, SessionType type, LearningConfig config) {
    if (userId == null || userId.isBlank()) {
      throw new QuiverException.InvalidInput("user_id is required");
    }
    SessionInfo s = new SessionInfo(UUID.randomUUID().toString(), userId, type, config, true, clock.millis(), 0, 0,
        0, 0);
    store.writeSession(s);
    live.put(s.sessionId(), new LiveSession(s, new QTable(), new ResidualWindow(config.calibrationWindow()), null));
    return s;
  }

  /** The session {@code sessionId}. */
  public synchronized SessionInfo session(String sessionId) {
    return load(sessionId).info;
  }

  /** Every stored session. */
  public synchronized List<SessionInfo> sessions() {
    return store.allSessions();
  }

  /** The recommended action at {@code state}, with its value, alternatives and conformal interval. */
  public synchronized Prediction predict(String sessionId, String state) {
    LiveSession l = load(sessionId);
    return Policy.predict(l.info, l.table, l.residuals, StateKeys.key(state, "state"), state);
  }

  /** Learns from one feedback online; durable when it returns. */
  public synchronized FeedbackResult feedback(Feedback f) {
    return feedback(f, null);
  }

  synchronized FeedbackResult feedback(Feedback f, ObjectNode details) {
    LiveSession l = load(f.sessionId());
    requireActive(l.info);
    String state = StateKeys.key(f.state(), "state");
    String action = StateKeys.action(f.action(), "action");
    String next = f.nextState() == null ? null : StateKeys.key(f.nextState(), "next_state");
    String nextAction = f.nextAction() == null ? null : StateKeys.action(f.nextAction(), "next_action");
    if (!Double.isFinite(f.reward())) {
      throw new QuiverException.InvalidInput("reward must be a finite number, got " + f.reward());
    }
    if (l.info.type() != SessionType.SARSA) {
      nextAction = null;
    } else if (nextAction != null && next == null) {
      throw new QuiverException.InvalidInput("next_action needs next_state (a terminal step has no next action)");
    }
    Transition t = new Transition(l.info.sessionId(), l.info.feedbackCount() + 1, clock.millis(), state,
        f.state().strip(), action, f.reward(), next, next == null ? null : f.nextState().strip(), nextAction,
        f.success(), Double.NaN, true, details);
    return persist(l, l.learn(t)).result();
  }

  private LiveSession.Step persist(LiveSession l, LiveSession.Step step) {
    String id = l.info.sessionId();
    try {
      store.writeTransition(step.transition());
      if (step.resolved() != null) {
        store.writeTransition(step.resolved());
      }
      embedMissing(step.rows());
      store.writeRows(id, step.rows());
      store.writeSession(l.info);
    } catch (RuntimeException e) {
      live.remove(id);
      throw e;
    }
    return step;
  }

  void embedMissing(List<QTable.Row> rows) {
    List<QTable.Row> missing = rows.stream().filter(r -> r.vector == null).toList();
    if (missing.isEmpty()) {
      return;
    }
    List<float[]> vectors = embedder.embed(missing.stream().map(r -> r.text).toList());
    for (int i = 0; i < missing.size(); i++) {
      missing.get(i).vector = vectors.get(i);
    }
  }

  /**
   * Experience replay over the session's stored transitions (see {@link Trainer}); null arguments take the
   * defaults: 50 epochs, the session's batch size and learning rate.
   */
  public synchronized TrainReport train(String sessionId, Integer epochs, Integer batchSize, Double learningRate) {
    LiveSession l = load(sessionId);
    requireActive(l.info);
    int e = epochs == null ? 50 : epochs;
    int b = batchSize == null ? l.info.config().batchSize() : batchSize;
    double lr = learningRate == null ? l.info.config().learningRate() : learningRate;
    if (e < 1 || e > 10_000) {
      throw new QuiverException.InvalidInput("epochs must be in [1, 10000], got " + e);
    }
    if (b < 1) {
      throw new QuiverException.InvalidInput("batch_size must be >= 1, got " + b);
    }
    if (!(lr > 0 && lr <= 1)) {
      throw new QuiverException.InvalidInput("learning_rate must be in (0, 1], got " + lr);
    }
    List<Transition> replay = store.transitions(LearningStore.bySession(sessionId));
    QTable work = l.table.copy();
    TrainReport report = Trainer.train(l.info, work, replay, e, b, lr);
    List<QTable.Row> rows = new ArrayList<>(work.rows());
    SessionInfo next = l.info.withTrainRuns(l.info.trainRuns() + 1);
    try {
      embedMissing(rows);
      store.writeRows(sessionId, rows);
      store.writeSession(next);
    } finally {
      live.remove(sessionId);
    }
    return report;
  }

  /** Ends the session: completes a waiting SARSA update, freezes the table (the final policy), refuses feedback. */
  public synchronized PolicySummary end(String sessionId) {
    LiveSession l = load(sessionId);
    requireActive(l.info);
    LiveSession.Step step = l.resolvePending();
    if (step != null) {
      l.info = l.info.withProgress(l.info.feedbackCount(), 0);
      persist(l, step);
    }
    l.info = l.info.ended(clock.millis());
    try {
      store.writeSession(l.info);
    } catch (RuntimeException e) {
      live.remove(sessionId);
      throw e;
    }
    return PolicySummary.of(l.info, l.table);
  }

  /** The greedy policy of the session as it stands. */
  public synchronized PolicySummary policy(String sessionId) {
    LiveSession l = load(sessionId);
    return PolicySummary.of(l.info, l.table);
  }

  /** Metrics over the transitions of the last {@code timeWindowDays} (see {@link LearningMetrics}). */
  public synchronized MetricsReport metrics(String sessionId, Double timeWindowDays, boolean includeTrends,
      String groupBy) {
    if (sessionId != null) {
      load(sessionId);
    }
    return LearningMetrics.compute(store, clock.millis(), sessionId, timeWindowDays, includeTrends, groupBy);
  }

  /** Copies or blends Q-values from {@code sourceSession} into {@code targetSession} (see {@link Transfers}). */
  public synchronized TransferReport transfer(TransferRequest request) {
    LiveSession source = load(request.sourceSession());
    LiveSession target = load(request.targetSession());
    requireActive(target.info);
    Transfers.Plan plan = Transfers.plan(request, source, target, embedder, store);
    try {
      embedMissing(plan.rows());
      store.writeRows(target.info.sessionId(), plan.rows());
    } finally {
      live.remove(target.info.sessionId());
    }
    return plan.report();
  }

  /** Action values, visits and supporting transitions for the states nearest to {@code query}. */
  public synchronized Explanation explain(String sessionId, String query, int k, int evidence) {
    if (sessionId != null) {
      load(sessionId);
    }
    return Explainer.explain(store, embedder, sessionId, query, k, evidence);
  }

  /** Records a tool execution as a transition (see {@link Experiences}). */
  public synchronized ExperienceResult recordExperience(Experience e) {
    return Experiences.record(this, store, clock, e);
  }

  /** Whether {@code sessionId} names a stored learning session. */
  synchronized boolean exists(String sessionId) {
    return live.containsKey(sessionId) || store.readSession(sessionId) != null;
  }

  private static void requireActive(SessionInfo s) {
    if (!s.active()) {
      throw new QuiverException.InvalidInput("session " + s.sessionId() + " has ended; its policy is frozen");
    }
  }

  /** The live session, loaded (and an interrupted feedback completed) on first use. */
  LiveSession load(String sessionId) {
    if (sessionId == null || sessionId.isBlank()) {
      throw new QuiverException.InvalidInput("session_id is required");
    }
    LiveSession l = live.get(sessionId);
    if (l != null) {
      return l;
    }
    SessionInfo info = store.readSession(sessionId);
    if (info == null) {
      throw new QuiverException.NotFound("learning session " + sessionId + " does not exist");
    }
    QTable table = store.readTable(sessionId);
    ResidualWindow window = new ResidualWindow(info.config().calibrationWindow());
    store.latestResiduals(sessionId, info.feedbackCount(), info.config().calibrationWindow()).forEach(window::add);
    Transition pending = info.pendingSeq() == 0 ? null : store.transition(sessionId, info.pendingSeq());
    l = new LiveSession(info, table, window, pending);
    live.put(sessionId, l);
    Transition interrupted = info.active() ? store.transition(sessionId, info.feedbackCount() + 1) : null;
    if (interrupted != null) {
      if (table.rows().stream().anyMatch(r -> r.seq == interrupted.seq())) {
        boolean waits = info.type() == SessionType.SARSA && interrupted.nextState() != null
            && interrupted.nextAction() == null;
        l.info = info.withProgress(interrupted.seq(), waits ? interrupted.seq() : 0);
        l.pending = waits ? interrupted : null;
        if (Double.isFinite(interrupted.residual())) {
          l.residuals.add(interrupted.residual());
        }
        store.writeSession(l.info);
      } else {
        persist(l, l.learn(interrupted));
      }
    }
    live.put(sessionId, l);
    return l;
  }
}
