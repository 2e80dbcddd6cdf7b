package io.quiver.collection;

import io.quiver.PointId;
import io.quiver.Quiver;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Child JVM for {@link DiskFullTest}, started under a small file-size limit ({@code ulimit -f}) so writes fail as on
 * a full disk. Upserts until a write fails, then checks that every acknowledged point still reads back.
 */
public final class DiskFullChild {
  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, "UTF-8");
    List<Long> acked = new ArrayList<>();
    try (Quiver db = Quiver.open(Path.of(args[0]))) {
      Collection c = db.collection("full");
      long next = 1_000;
      try {
        while (true) {
          List<Point> batch = new ArrayList<>();
          for (int i = 0; i < 50; i++, next++) {
            batch.add(CollectionCrashChild.densePoint(next, 1, CollectionCrashChild.payload(next, 1)));
          }
          c.upsert(batch);
          for (Point p : batch) {
            acked.add(((PointId.Num) p.id()).value());
            out.println("ACK " + ((PointId.Num) p.id()).value());
          }
        }
      } catch (RuntimeException e) {
        out.println("ERR " + e.getClass().getName() + " " + e.getMessage().replace('\n', ' '));
      }
      int ok = 0;
      for (long id : acked) {
        PointRecord r = c.get(PointId.of(id));
        if (r != null && r.payload().toString().equals(CollectionCrashChild.payload(id, 1).toString())) {
          ok++;
        }
      }
      out.println("READ-OK " + ok + " of " + acked.size());
      try {
        c.upsert(CollectionCrashChild.densePoint(1, 2, null));
        out.println("ERR2 none");
      } catch (RuntimeException e) {
        out.println("ERR2 " + e.getClass().getName());
      }
    } catch (Exception e) {
      out.println("CLOSE " + e.getClass().getName() + " " + e.getMessage());
    }
    out.println("DONE");
  }
}
