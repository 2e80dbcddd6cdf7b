package io.quiver.cli.load;

import java.util.Locale;

/** The API a scenario's requests go through: Qdrant's REST API (HTTP/1.1, JSON) or its gRPC API (HTTP/2, protobuf). */
enum Transport {
  REST, GRPC;

  String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
