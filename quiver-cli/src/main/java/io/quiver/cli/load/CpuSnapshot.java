package io.quiver.cli.load;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;

/** CPU time of the client's platform threads (named loadtest-* or HttpClient-*) and of the whole process. */
record CpuSnapshot(Map<Long, Long> clientThreadNanos, long processNanos, long wallNanos) {
  static CpuSnapshot take() {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    Map<Long, Long> threads = new HashMap<>();
    if (mx.isThreadCpuTimeSupported()) {
      for (ThreadInfo ti : mx.getThreadInfo(mx.getAllThreadIds())) {
        if (ti != null && (ti.getThreadName().startsWith("loadtest-") || ti.getThreadName().startsWith("HttpClient-"))) {
          long t = mx.getThreadCpuTime(ti.getThreadId());
          if (t >= 0) {
            threads.put(ti.getThreadId(), t);
          }
        }
      }
    }
    long process = ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os
        ? os.getProcessCpuTime() : -1;
    return new CpuSnapshot(threads, process, System.nanoTime());
  }

  double clientNanos(CpuSnapshot before) {
    long sum = 0;
    for (Map.Entry<Long, Long> e : clientThreadNanos.entrySet()) {
      sum += e.getValue() - before.clientThreadNanos.getOrDefault(e.getKey(), 0L);
    }
    return sum;
  }
}

