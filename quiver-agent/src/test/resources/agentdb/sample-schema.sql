-- agentdb_config: 4 row(s)
CREATE TABLE agentdb_config (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at INTEGER DEFAULT (strftime('%s', 'now'))
      );
-- causal_edges: 2 row(s)
CREATE TABLE causal_edges (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  from_memory_id INTEGER NOT NULL,
  from_memory_type TEXT NOT NULL, -- 'episode', 'skill', 'note', 'fact'
  to_memory_id INTEGER NOT NULL,
  to_memory_type TEXT NOT NULL,

  -- Traditional similarity
  similarity REAL NOT NULL DEFAULT 0.0,

  -- Causal metrics
  uplift REAL, -- E[y|do(x)] - E[y]
  confidence REAL DEFAULT 0.5, -- Confidence in causal claim
  sample_size INTEGER, -- Number of observations

  -- Evidence and provenance
  evidence_ids TEXT, -- JSON array of proof IDs
  experiment_ids TEXT, -- JSON array of A/B test IDs
  confounder_score REAL, -- Likelihood of confounding

  -- Metadata
  mechanism TEXT, -- Hypothesized causal mechanism
  created_at INTEGER NOT NULL DEFAULT (strftime('%s', 'now')),
  updated_at INTEGER NOT NULL DEFAULT (strftime('%s', 'now')),
  last_validated_at INTEGER,

  metadata JSON

  -- Note: Foreign keys removed to allow flexible causal edges between any concepts
  -- from_memory_id and to_memory_id can be 0 for abstract causal relationships
);
-- causal_experiments: 0 row(s)
CREATE TABLE causal_experiments (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  hypothesis TEXT NOT NULL,
  treatment_id INTEGER NOT NULL, -- Memory used as treatment
  treatment_type TEXT NOT NULL,
  control_id INTEGER, -- Optional control memory

  -- Experiment design
  start_time INTEGER NOT NULL,
  end_time INTEGER,
  sample_size INTEGER DEFAULT 0,

  -- Results
  treatment_mean REAL,
  control_mean REAL,
  uplift REAL, -- treatment_mean - control_mean
  p_value REAL,
  confidence_interval_low REAL,
  confidence_interval_high REAL,

  -- Status
  status TEXT DEFAULT 'running', -- 'running', 'completed', 'failed'

  metadata JSON,
  created_at INTEGER NOT NULL DEFAULT (strftime('%s', 'now'))
);
-- causal_observations: 0 row(s)
CREATE TABLE causal_observations (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  experiment_id INTEGER NOT NULL,
  episode_id INTEGER NOT NULL,

  -- Treatment assignment
  is_treatment BOOLEAN NOT NULL,

  -- Outcome
  outcome_value REAL NOT NULL,
  outcome_type TEXT, -- 'reward', 'success', 'latency'

  -- Context
  context JSON,
  observed_at INTEGER NOT NULL DEFAULT (strftime('%s', 'now')),

  FOREIGN KEY(experiment_id) REFERENCES causal_experiments(id) ON DELETE CASCADE,
  FOREIGN KEY(episode_id) REFERENCES episodes(id) ON DELETE CASCADE
);
-- consolidated_memories: 0 row(s)
CREATE TABLE consolidated_memories (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  session_id TEXT NOT NULL,
  start_event_id INTEGER NOT NULL,
  end_event_id INTEGER NOT NULL,
  phase TEXT,
  summary TEXT NOT NULL,
  key_insights JSON, -- Extracted learnings
  success_patterns JSON, -- What worked
  failure_patterns JSON, -- What didn't work
  quality_score REAL DEFAULT 0.5,
  created_at INTEGER NOT NULL DEFAULT (strftime('%s', 'now')),
  FOREIGN KEY(start_event_id) REFERENCES events(id),
  FOREIGN KEY(end_event_id) REFERENCES events(id)
);
-- consolidation_runs: 0 row(s)
CREATE TABLE consolidation_runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  job_type TEXT NOT NULL, -- 'episode_to_skill', 'event_to_memory', 'deduplication', 'pruning'
  records_processed INTEGER DEFAULT 0,
  records_created INTEGER DEFAULT 0,
  records_deleted INTEGER DEFAULT 0,
  duration_ms INTEGER,
  status TEXT DEFAULT 'pending', -- 'pending', 'running', 'completed', 'failed'
  error TEXT,
  started_at INTEGER,
  completed_at INTEGER,
  metadata JSON
);
-- episode_embeddings: 4 row(s)
CREATE TABLE episode_embeddings (
  episode_id INTEGER PRIMARY KEY,
  embedding BLOB NOT NULL, -- Float32Array as BLOB
  embedding_model TEXT DEFAULT 'all-MiniLM-L6-v2',
  FOREIGN KEY(episode_id) REFERENCES episodes(id) ON DELETE CASCADE
);
-- episodes: 4 row(s)
CREATE TABLE episodes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  ts INTEGER NOT NULL DEFAULT (strftime('%s', 'now')),
  session_id TEXT NOT NULL,
  task TEXT NOT NULL,
  input TEXT,
  output TEXT,
  critique TEXT,
  reward REAL DEFAULT 0.0,
  success BOOLEAN DEFAULT 0,
  latency_ms INTEGER,
  tokens_used INTEGER,
  tags TEXT, -- JSON array of tags
  metadata JSON,
  created_at INTEGER NOT NULL DEFAULT (strftime('%s', 'now'))
);
-- events: 0 row(s)
CREATE TABLE events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  session_id TEXT NOT NULL,
  episode_id INTEGER, -- Link to parent episode
  step INTEGER NOT NULL,
  phase TEXT, -- 'planning', 'execution', 'reflection', 'learning'
  role TEXT, -- 'user', 'assistant', 'system', 'tool'
  content TEXT NOT NULL,
  features JSON, -- Extracted features for learning
  tool_calls JSON, -- Tool invocations in this event
  created_at INTEGER NOT NULL DEFAULT (strftime('%s', 'now')),
  FOREIGN KEY(episode_id) REFERENCES episodes(id) ON DELETE CASCADE
);
-- exp_edges: 0 row(s)
CREATE TABLE exp_edges (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  src_node_id INTEGER NOT NULL,
  dst_node_id INTEGER NOT NULL,
  relationship TEXT NOT NULL, -- 'requires', 'produces', 'similar_to', 'refines', 'part_of'
  weight REAL DEFAULT 1.0,
  metadata JSON,
  created_at INTEGER NOT NULL DEFAULT (strftime('%s', 'now')),
  FOREIGN KEY(src_node_id) REFERENCES exp_nodes(id) ON DELETE CASCADE,
  FOREIGN KEY(dst_node_id) REFERENCES exp_nodes(id) ON DELETE CASCADE,
  UNIQUE(src_node_id, dst_node_id, relationship)
);
-- exp_node_embeddings: 0 row(s)
CREATE TABLE exp_node_embeddings (
  node_id INTEGER PRIMARY KEY,
  embedding BLOB NOT NULL,
  embedding_model TEXT DEFAULT 'all-MiniLM-L6-v2',
  FOREIGN KEY(node_id) REFERENCES exp_nodes(id) ON DELETE CASCADE
);
-- exp_nodes: 0 row(s)
CREATE TABLE exp_nodes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL, -- 'task', 'skill', 'concept', 'tool', 'outcome'
  label TEXT NOT NULL,
  payload JSON,
  centrality REAL DEFAULT 0.0, -- Graph importance metric
  created_at INTEGER NOT NULL DEFAULT (strftime('%s', 'now')),
  updated_at INTEGER NOT NULL DEFAULT (strftime('%s', 'now'))
);
-- facts: 0 row(s)
CREATE TABLE facts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  subject TEXT NOT NULL,
  predicate TEXT NOT NULL,
  object TEXT NOT NULL,
  source_type TEXT, -- 'episode', 'skill', 'external', 'inferred'
  source_id INTEGER,
  confidence REAL DEFAULT 1.0,
  created_at INTEGER NOT NULL DEFAULT (strftime('%s', 'now')),
  expires_at INTEGER, -- TTL for temporal facts
  metadata JSON
);
-- justification_paths: 3 row(s)
CREATE TABLE justification_paths (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  certificate_id TEXT NOT NULL,
  chunk_id TEXT NOT NULL,
  chunk_type TEXT NOT NULL,

  -- Justification
  reason TEXT NOT NULL, -- 'semantic_match', 'causal_link', 'prerequisite', 'constraint'
  necessity_score REAL NOT NULL, -- How essential is this chunk (0-1)

  -- Path to query satisfaction
  path_elements TEXT, -- JSON array describing reasoning path

  FOREIGN KEY(certificate_id) REFERENCES recall_certificates(id) ON DELETE CASCADE
);
-- learning_experiences: 3 row(s)
CREATE TABLE learning_experiences (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  session_id TEXT NOT NULL,
  state TEXT NOT NULL,
  action TEXT NOT NULL,
  reward REAL NOT NULL,
  next_state TEXT,
  success INTEGER NOT NULL DEFAULT 0,
  timestamp INTEGER NOT NULL DEFAULT (strftime('%s', 'now')),
  metadata JSON
);
-- learning_policies: 2 row(s)
CREATE TABLE learning_policies (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        session_id TEXT NOT NULL,
        state_action_pairs TEXT NOT NULL,
        q_values TEXT NOT NULL,
        visit_counts TEXT NOT NULL,
        avg_rewards TEXT NOT NULL,
        version INTEGER NOT NULL,
        created_at INTEGER DEFAULT (strftime('%s', 'now')),
        FOREIGN KEY (session_id) REFERENCES learning_sessions(id) ON DELETE CASCADE
      );
-- learning_sessions: 1 row(s)
CREATE TABLE learning_sessions (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  session_type TEXT NOT NULL,
  config JSON NOT NULL,
  start_time INTEGER NOT NULL DEFAULT (strftime('%s', 'now')),
  end_time INTEGER,
  status TEXT NOT NULL DEFAULT 'active',
  metadata JSON
);
-- learning_state_embeddings: 1 row(s)
CREATE TABLE learning_state_embeddings (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        session_id TEXT NOT NULL,
        state TEXT NOT NULL,
        embedding BLOB NOT NULL,
        FOREIGN KEY (session_id) REFERENCES learning_sessions(id) ON DELETE CASCADE
      );
-- memory_access_log: 0 row(s)
CREATE TABLE memory_access_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  memory_type TEXT NOT NULL,
  memory_id INTEGER NOT NULL,
  query TEXT,
  relevance_score REAL,
  was_useful BOOLEAN,
  feedback JSON,
  accessed_at INTEGER NOT NULL DEFAULT (strftime('%s', 'now'))
);
-- memory_scores: 0 row(s)
CREATE TABLE memory_scores (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  memory_type TEXT NOT NULL, -- 'episode', 'skill', 'note', 'consolidated'
  memory_id INTEGER NOT NULL,
  quality_score REAL NOT NULL,
  novelty_score REAL,
  relevance_score REAL,
  utility_score REAL,
  computed_at INTEGER NOT NULL DEFAULT (strftime('%s', 'now')),
  metadata JSON
);
-- note_embeddings: 0 row(s)
CREATE TABLE note_embeddings (
  note_id INTEGER PRIMARY KEY,
  embedding BLOB NOT NULL,
  embedding_model TEXT DEFAULT 'all-MiniLM-L6-v2',
  FOREIGN KEY(note_id) REFERENCES notes(id) ON DELETE CASCADE
);
-- notes: 0 row(s)
CREATE TABLE notes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  title TEXT,
  text TEXT NOT NULL,
  summary TEXT, -- Condensed version for context
  note_type TEXT DEFAULT 'general', -- 'insight', 'constraint', 'goal', 'observation'
  importance REAL DEFAULT 0.5,
  access_count INTEGER DEFAULT 0,
  last_accessed_at INTEGER,
  created_at INTEGER NOT NULL DEFAULT (strftime('%s', 'now')),
  updated_at INTEGER NOT NULL DEFAULT (strftime('%s', 'now')),
  metadata JSON
);
-- pattern_embeddings: 2 row(s)
CREATE TABLE pattern_embeddings (
        pattern_id INTEGER PRIMARY KEY,
        embedding BLOB NOT NULL,
        FOREIGN KEY (pattern_id) REFERENCES reasoning_patterns(id) ON DELETE CASCADE
      );
-- provenance_sources: 3 row(s)
CREATE TABLE provenance_sources (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  source_type TEXT NOT NULL, -- 'episode', 'skill', 'note', 'fact', 'external'
  source_id INTEGER NOT NULL,

  -- Content hash
  content_hash TEXT NOT NULL UNIQUE,

  -- Lineage
  parent_hash TEXT, -- Previous version
  derived_from TEXT, -- JSON array of parent hashes

  -- Metadata
  created_at INTEGER NOT NULL DEFAULT (strftime('%s', 'now')),
  creator TEXT, -- User or system identifier

  metadata JSON
);
-- reasoning_patterns: 2 row(s)
CREATE TABLE reasoning_patterns (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        ts INTEGER DEFAULT (strftime('%s', 'now')),
        task_type TEXT NOT NULL,
        approach TEXT NOT NULL,
        success_rate REAL NOT NULL DEFAULT 0.0,
        uses INTEGER DEFAULT 0,
        avg_reward REAL DEFAULT 0.0,
        tags TEXT,
        metadata TEXT
      );
-- recall_certificates: 1 row(s)
CREATE TABLE recall_certificates (
  id TEXT PRIMARY KEY, -- UUID or hash
  query_id TEXT NOT NULL,
  query_text TEXT NOT NULL,

  -- Retrieved chunks
  chunk_ids TEXT NOT NULL, -- JSON array
  chunk_types TEXT NOT NULL, -- JSON array matching chunk_ids

  -- Minimal hitting set (justification)
  minimal_why TEXT, -- JSON array of chunk IDs that justify the answer
  redundancy_ratio REAL, -- len(chunk_ids) / len(minimal_why)
  completeness_score REAL, -- Fraction of query requirements met

  -- Provenance chain
  merkle_root TEXT NOT NULL,
  source_hashes TEXT, -- JSON array of source hashes
  proof_chain TEXT, -- JSON Merkle proof

  -- Policy compliance
  policy_proof TEXT, -- Proof of policy adherence
  policy_version TEXT,
  access_level TEXT, -- 'public', 'internal', 'confidential', 'restricted'

  -- Metadata
  created_at INTEGER NOT NULL DEFAULT (strftime('%s', 'now')),
  latency_ms INTEGER,

  metadata JSON
);
-- skill_embeddings: 2 row(s)
CREATE TABLE skill_embeddings (
  skill_id INTEGER PRIMARY KEY,
  embedding BLOB NOT NULL,
  embedding_model TEXT DEFAULT 'all-MiniLM-L6-v2',
  FOREIGN KEY(skill_id) REFERENCES skills(id) ON DELETE CASCADE
);
-- skill_links: 0 row(s)
CREATE TABLE skill_links (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  parent_skill_id INTEGER NOT NULL,
  child_skill_id INTEGER NOT NULL,
  relationship TEXT NOT NULL, -- 'prerequisite', 'alternative', 'refinement', 'composition'
  weight REAL DEFAULT 1.0,
  metadata JSON,
  FOREIGN KEY(parent_skill_id) REFERENCES skills(id) ON DELETE CASCADE,
  FOREIGN KEY(child_skill_id) REFERENCES skills(id) ON DELETE CASCADE,
  UNIQUE(parent_skill_id, child_skill_id, relationship)
);
-- skills: 2 row(s)
CREATE TABLE skills (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT UNIQUE NOT NULL,
  description TEXT,
  signature JSON NOT NULL, -- {inputs: {...}, outputs: {...}}
  code TEXT, -- Tool call manifest or code template
  success_rate REAL DEFAULT 0.0,
  uses INTEGER DEFAULT 0,
  avg_reward REAL DEFAULT 0.0,
  avg_latency_ms INTEGER DEFAULT 0,
  created_from_episode INTEGER, -- Source episode ID
  created_at INTEGER NOT NULL DEFAULT (strftime('%s', 'now')),
  updated_at INTEGER NOT NULL DEFAULT (strftime('%s', 'now')),
  last_used_at INTEGER,
  metadata JSON,
  FOREIGN KEY(created_from_episode) REFERENCES episodes(id)
);
