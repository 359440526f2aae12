package dev.sonde.agent.control;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;

/**
 * A connection's socket for the thread that serves it: reads try without blocking for a few
 * microseconds before they wait in a selector, writes wait only when the socket buffer is full.
 *
 * <p>Why: a client that sends requests back to back (libsonde's map lookups) found this thread
 * asleep each time, and waking a thread on an idle virtual CPU costs tens of microseconds: 22,000
 * lookups/s with a blocking read, against 50,000 wanted (notes/libsonde.md). The spin is bounded
 * ({@link #SPIN_NANOS} after the last byte arrived, then the thread blocks), so an idle
 * connection costs no CPU.
 *
 * <p>Assumptions: one thread uses it; the channel was not registered elsewhere. It owns the
 * channel's blocking mode from construction on.
 */
final class SpinningChannel implements ByteChannel {
    /** How long a read tries without blocking before it waits. */
    static final long SPIN_NANOS = 50_000;

    private final SocketChannel ch;
    private final Selector selector;
    private final SelectionKey key;

    SpinningChannel(SocketChannel ch) throws IOException {
        this.ch = ch;
        ch.configureBlocking(false);
        this.selector = Selector.open();
        this.key = ch.register(selector, 0);
    }

    @Override
    public int read(ByteBuffer b) throws IOException {
        int n = ch.read(b);
        if (n != 0 || !b.hasRemaining()) {
            return n;
        }
        long start = System.nanoTime();
        while (System.nanoTime() - start < SPIN_NANOS) {
            Thread.onSpinWait();
            n = ch.read(b);
            if (n != 0) {
                return n;
            }
        }
        while (true) {
            await(SelectionKey.OP_READ);
            n = ch.read(b);
            if (n != 0) {
                return n;
            }
        }
    }

    @Override
    public int write(ByteBuffer b) throws IOException {
        int n = ch.write(b);
        while (n == 0 && b.hasRemaining()) {
            await(SelectionKey.OP_WRITE);
            n = ch.write(b);
        }
        return n;
    }

    private void await(int op) throws IOException {
        if (!ch.isOpen()) {
            throw new ClosedChannelException();
        }
        key.interestOps(op);
        try {
            selector.select();
        } finally {
            if (key.isValid()) {
                key.interestOps(0);
            }
        }
        selector.selectedKeys().clear();
    }

    @Override
    public boolean isOpen() {
        return ch.isOpen();
    }

    /** Closes the selector and the channel. */
    @Override
    public void close() throws IOException {
        try {
            selector.close();
        } finally {
            ch.close();
        }
    }
}
