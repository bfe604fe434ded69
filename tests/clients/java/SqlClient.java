// A tiny JDBC client for the integration tests (MariaDB Connector/J from Debian's libmariadb-java).
//
//   java -cp mariadb-java-client.jar:DIR SqlClient HOST PORT USER PASSWORD
//        [--opt KEY=VALUE]... [SQL]...
//
// Connects to jdbc:mariadb://HOST:PORT/ (each --opt is added to the URL's query), runs each SQL
// statement in order and prints one line per event, fields separated by tabs:
//   connected
//   row      V1 V2 ...         one line per result row (NULL for a null)
//   ok       UPDATE_COUNT      a statement without a result set
//   error    CODE SQLSTATE MESSAGE   SQLException.getErrorCode(), getSQLState(), getMessage()
// A failed connect prints its error and stops; a failed statement prints its error and goes on.
// A statement "ps:SQL|P1|P2..." runs as a PreparedStatement with string parameters P1, P2, ...
// (server-side with --opt useServerPrepStmts=true). "long:SQL|P1|P2..." runs it with each parameter
// given as a binary stream of its UTF-8 bytes (with useServerPrepStmts=true the driver sends them
// with COM_STMT_SEND_LONG_DATA). "reset:" resets the connection (the driver's reset(), which sends
// COM_RESET_CONNECTION with --opt useResetConnection=true) and prints "ok\t0". "batch:SQL|P1|P2..."
// adds one batch row per parameter (SQL has one placeholder), runs executeBatch() and prints
// "ok\tN" for the sum of the update counts.
// Exit status: 0 without errors, 1 with any.
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

public final class SqlClient {
  private SqlClient() {}

  public static void main(String[] args) {
    if (args.length < 4) {
      System.err.println("usage: SqlClient HOST PORT USER PASSWORD [--opt KEY=VALUE]... [SQL]...");
      System.exit(2);
    }
    StringBuilder url = new StringBuilder("jdbc:mariadb://" + args[0] + ":" + args[1] + "/?user=")
        .append(args[2]).append("&password=").append(args[3]);
    List<String> statements = new ArrayList<>();
    for (int i = 4; i < args.length; ++i) {
      if (args[i].equals("--opt") && i + 1 < args.length) {
        url.append('&').append(args[++i]);
      } else {
        statements.add(args[i]);
      }
    }
    boolean failed = false;
    try (Connection connection = DriverManager.getConnection(url.toString())) {
      System.out.println("connected");
      for (String sql : statements) failed |= !run(connection, sql);
    } catch (SQLException e) {
      printError(e);
      failed = true;
    }
    System.exit(failed ? 1 : 0);
  }

  private static boolean run(Connection connection, String sql) {
    if (sql.startsWith("ps:")) return runPrepared(connection, sql.substring(3), false);
    if (sql.startsWith("long:")) return runPrepared(connection, sql.substring(5), true);
    if (sql.equals("reset:")) return reset(connection);
    if (sql.startsWith("batch:")) return runBatch(connection, sql.substring(6));
    try (Statement statement = connection.createStatement()) {
      return print(statement, statement.execute(sql));
    } catch (SQLException e) {
      printError(e);
      return false;
    }
  }

  private static boolean reset(Connection connection) {
    try {
      connection.getClass().getMethod("reset").invoke(connection);
      System.out.println("ok\t0");
      return true;
    } catch (ReflectiveOperationException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      if (cause instanceof SQLException) {
        printError((SQLException) cause);
      } else {
        printError(new SQLException(String.valueOf(cause)));
      }
      return false;
    }
  }

  private static boolean runBatch(Connection connection, String spec) {
    String[] parts = spec.split("\\|", -1);
    try (PreparedStatement statement = connection.prepareStatement(parts[0])) {
      for (int i = 1; i < parts.length; ++i) {
        statement.setString(1, parts[i]);
        statement.addBatch();
      }
      long total = 0;
      for (int count : statement.executeBatch()) total += count;
      System.out.println("ok\t" + total);
      return true;
    } catch (SQLException e) {
      printError(e);
      return false;
    }
  }

  private static boolean runPrepared(Connection connection, String spec, boolean streams) {
    String[] parts = spec.split("\\|", -1);
    try (PreparedStatement statement = connection.prepareStatement(parts[0])) {
      for (int i = 1; i < parts.length; ++i) {
        if (streams) {
          byte[] bytes = parts[i].getBytes(StandardCharsets.UTF_8);
          statement.setBinaryStream(i, new ByteArrayInputStream(bytes), bytes.length);
        } else {
          statement.setString(i, parts[i]);
        }
      }
      return print(statement, statement.execute());
    } catch (SQLException e) {
      printError(e);
      return false;
    }
  }

  private static boolean print(Statement statement, boolean hasRows) {
    try {
      if (!hasRows) {
        System.out.println("ok\t" + statement.getUpdateCount());
        return true;
      }
      try (ResultSet rows = statement.getResultSet()) {
        int columns = rows.getMetaData().getColumnCount();
        while (rows.next()) {
          StringBuilder line = new StringBuilder("row");
          for (int c = 1; c <= columns; ++c) {
            String value = rows.getString(c);
            line.append('\t').append(value == null ? "NULL" : oneLine(value));
          }
          System.out.println(line);
        }
      }
      return true;
    } catch (SQLException e) {
      printError(e);
      return false;
    }
  }

  private static void printError(SQLException e) {
    System.out.println("error\t" + e.getErrorCode() + "\t" + e.getSQLState() + "\t"
        + oneLine(String.valueOf(e.getMessage())));
  }

  private static String oneLine(String text) {
    return text.replace('\t', ' ').replace('\n', ' ').replace('\r', ' ');
  }
}
