package io.quiver.cli.load;

import java.io.IOException;

/**
 * What one scenario's workers send over one transport: numbered requests prepared up front (queries) or made on demand
 * (upsert batches), each answered with a {@link Reply}. Every connection is used by one thread at a time.
 */
interface Workload extends AutoCloseable {
  /** Distinct requests: a worker sends a number in {@code 0..size()-1}. */
  int size();

  Connection open() throws IOException;

  @Override
  default void close() {}

  /** One worker's connection (a socket, or a gRPC channel with its own HTTP/2 connection). */
  interface Connection extends AutoCloseable {
    /**
     * Sends request {@code q}; {@code exact} asks for the server's exact search instead (recall's ground truth);
     * with {@code wantIds} a successful reply carries the returned point ids.
     *
     * @throws IOException when the request could not be sent or its answer not read
     */
    Reply send(int q, boolean exact, boolean wantIds) throws IOException, InterruptedException;

    @Override
    void close();
  }

  /** An answer: success with the ids asked for (else null), or failure with a short description. */
  record Reply(boolean ok, String error, long[] ids) {
    static final Reply OK = new Reply(true, null, null);

    static Reply failed(String error) {
      return new Reply(false, error, null);
    }

    static Reply ids(long[] ids) {
      return new Reply(true, null, ids);
    }
  }
}
