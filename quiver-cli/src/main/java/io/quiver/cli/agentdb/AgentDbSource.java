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
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.sqlite.SQLiteConfig;

/**
 * An AgentDB SQLite file opened read-only: the file is never written, so an import can be repeated and the agent
 * that owns the file may keep using it. Rows come back as column-name maps in primary-key order.
 */
final class AgentDbSource implements AutoCloseable {
  private final Connection connection;
  private final Set<String> tables = new HashSet<>();

  private AgentDbSource(Connection connection) throws SQLException {
    this.connection = connection;
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
    SQLiteConfig config = new SQLiteConfig();
    config.setReadOnly(true);
    try {
      Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath(), config.toProperties());
      try {
        AgentDbSource source = new AgentDbSource(c);
        if (!source.has("episodes")) {
          throw new IOException(file + " is not an AgentDB database: it has no episodes table");
        }
        return source;
      } catch (SQLException | IOException | RuntimeException e) {
        c.close();
        throw e;
      }
    } catch (SQLException e) {
      throw new IOException("cannot read " + file + " as SQLite: " + e.getMessage(), e);
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
    }
  }
}
