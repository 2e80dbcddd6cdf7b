package io.quiver.cli.agentdb;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * An AgentDB SQLite file read from a private copy: AgentDB keeps its databases in WAL mode, where even a read-only
 * connection creates {@code -wal} and {@code -shm} files beside the database and cannot remove them, so the file and
 * its write-ahead log (holding the writes of an AgentDB process still running) are copied to a temporary directory
 * that close deletes. Nothing is written beside the user's file. Rows come back as column-name maps.
 */
final class AgentDbSource implements AutoCloseable {
  private static final String WAL = "-wal";

  private final Connection connection;
  private final Path copy;
  private final Set<String> tables = new HashSet<>();

  private AgentDbSource(Connection connection, Path copy) throws SQLException {
    this.connection = connection;
    this.copy = copy;
    try (Statement s = connection.createStatement();
        ResultSet r = s.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table'")) {
      while (r.next()) {
        tables.add(r.getString(1));
      }
    }
  }

  static AgentDbSource open(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException("no AgentDB database at " + file);
    }
    Path copy = Files.createTempDirectory("quiver-agentdb-import");
    try {
      Path db = copy.resolve("agentdb.db");
      Files.copy(file, db);
      Path wal = file.resolveSibling(file.getFileName() + WAL);
      if (Files.isRegularFile(wal)) {
        Files.copy(wal, copy.resolve("agentdb.db" + WAL));
      }
      Connection c = DriverManager.getConnection("jdbc:sqlite:" + db.toAbsolutePath());
      try {
        AgentDbSource source = new AgentDbSource(c, copy);
        if (!source.has("episodes")) {
          throw new IOException(file + " is not an AgentDB database: it has no episodes table");
        }
        return source;
      } catch (SQLException | IOException | RuntimeException e) {
        c.close();
        throw e;
      }
    } catch (SQLException e) {
      deleteTree(copy);
      throw new IOException("cannot read " + file + " as SQLite: " + e.getMessage(), e);
    } catch (IOException | RuntimeException e) {
      deleteTree(copy);
      throw e;
    }
  }

  /** Whether the file has {@code table} (AgentDB creates some tables lazily, so any may be missing). */
  boolean has(String table) {
    return tables.contains(table);
  }

  /** Every row of {@code table} ordered by {@code orderBy}; none when the table does not exist. */
  List<Map<String, Object>> rows(String table, String orderBy) throws IOException {
    List<Map<String, Object>> rows = new ArrayList<>();
    if (!has(table)) {
      return rows;
    }
    try (Statement s = connection.createStatement();
        ResultSet r = s.executeQuery("SELECT * FROM \"" + table + "\" ORDER BY " + orderBy)) {
      ResultSetMetaData meta = r.getMetaData();
      while (r.next()) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
          row.put(meta.getColumnName(i), r.getObject(i));
        }
        rows.add(row);
      }
    } catch (SQLException e) {
      throw new IOException("reading " + table + ": " + e.getMessage(), e);
    }
    return rows;
  }

  @Override
  public void close() throws IOException {
    try {
      connection.close();
    } catch (SQLException e) {
      throw new IOException(e);
    } finally {
      deleteTree(copy);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
