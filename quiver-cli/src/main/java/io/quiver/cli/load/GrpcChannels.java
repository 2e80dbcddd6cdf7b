package io.quiver.cli.load;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import java.util.concurrent.TimeUnit;

/**
 * Plaintext gRPC channels to one server, each with its own HTTP/2 connection (as each REST worker has its own
 * socket). Their I/O runs on a shared event loop group of platform threads named {@code loadtest-grpc-*}, so the
 * client's CPU time is told apart from an in-process server's Netty threads ({@code grpc-default-*}). Retries are
 * off: grpc-java's retry machinery buffers every call's messages, client CPU that shares the cores with the server
 * (the raw REST client has none of it either).
 */
final class GrpcChannels implements AutoCloseable {
  /** Upsert batches of 1,000 x 384 floats are ~1.6 MB; answers are far smaller. */
  private static final int MAX_MESSAGE_BYTES = 64 << 20;

  private final String host;
  private final int port;
  private final EventLoopGroup loop;

  GrpcChannels(String host, int port, int threads) {
    this.host = host;
    this.port = port;
    this.loop = new NioEventLoopGroup(Math.max(1, threads),
        Thread.ofPlatform().daemon().name("loadtest-grpc-", 1).factory());
  }

  /** A new channel; the caller shuts it down. */
  ManagedChannel open() {
    return NettyChannelBuilder.forAddress(host, port).usePlaintext().eventLoopGroup(loop)
        .channelType(NioSocketChannel.class).maxInboundMessageSize(MAX_MESSAGE_BYTES).disableRetry().directExecutor().build();
  }

  String target() {
    return host + ":" + port;
  }

  static void shutdown(ManagedChannel c) {
    c.shutdownNow();
    try {
      c.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    loop.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
