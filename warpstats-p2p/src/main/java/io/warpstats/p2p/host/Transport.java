package io.warpstats.p2p.host;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which Netty transport the hosts use: the native epoll transport where it loads (Linux; fewer
 * syscalls and less garbage per read/write than NIO's selector), else NIO. The choice is made once
 * per JVM; {@code -Dwarpstats.p2p.nio=true} forces NIO. The wire is the same either way.
 */
public final class Transport {
    private static final Logger log = LoggerFactory.getLogger(Transport.class);
    private static final boolean EPOLL = chooseEpoll();

    private Transport() {}

    private static boolean chooseEpoll() {
        if (Boolean.getBoolean("warpstats.p2p.nio")) return false;
        try {
            if (Epoll.isAvailable()) return true;
            log.info("p2p transport: NIO (epoll unavailable: {})", Epoll.unavailabilityCause().toString());
        } catch (LinkageError e) { // no native library for this platform
            log.info("p2p transport: NIO ({})", e.toString());
        }
        return false;
    }

    /** {@code "epoll"} or {@code "nio"}. */
    public static String name() { return EPOLL ? "epoll" : "nio"; }

    static IoHandlerFactory ioHandlerFactory() { return EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory(); }

    static Class<? extends SocketChannel> socketChannel() { return EPOLL ? EpollSocketChannel.class : NioSocketChannel.class; }

    static Class<? extends ServerChannel> serverChannel() { return EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class; }
}
