package dev.caravan.agent.swarm;

import dev.caravan.core.manifest.ChunkInfo;
import dev.caravan.scheduler.Block;
import dev.caravan.wire.Bitfield;
import dev.caravan.wire.BlockRange;
import dev.caravan.wire.Cancel;
import dev.caravan.wire.Choke;
import dev.caravan.wire.Data;
import dev.caravan.wire.Fetching;
import dev.caravan.wire.Goodbye;
import dev.caravan.wire.Have;
import dev.caravan.wire.Hello;
import dev.caravan.wire.Interest;
import dev.caravan.wire.Message;
import dev.caravan.wire.PeerId;
import dev.caravan.wire.ProtocolErrorHandler;
import dev.caravan.wire.Ping;
import dev.caravan.wire.Pong;
import dev.caravan.wire.Reject;
import dev.caravan.wire.Request;
import dev.caravan.wire.Unchoke;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One peer connection about one release: the protocol's state machine ({@code docs/protocol.md}
 * §4) on the connection's event loop. It sits after the {@code MessageDecoder} and
 * {@code MessageEncoder} and before the {@code ProtocolErrorHandler} in the pipeline
 * (TLS → idle timer → decoder → encoder → this → error handler).
 *
 * <p>Downloading: what the peer says (BITFIELD, HAVE, CHOKE, UNCHOKE, DATA, REJECT) goes to the
 * {@link ReleaseSwarm}, whose scheduler decides what to ask; the swarm sends REQUEST and CANCEL
 * through {@link #request} and {@link #cancel}. Uploading: the peer's REQUESTs queue here and are
 * answered with DATA from verified chunks when the peer holds an upload slot and the global upload
 * bucket has tokens.
 *
 * <p>Faults of the peer (a message out of sequence, DATA nobody asked for, a bitfield of the wrong
 * size) throw {@link CorruptedFrameException}, which the error handler logs, answers with GOODBYE
 * {@code PROTOCOL_ERROR} and turns into a close.
 */
final class PeerSession extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(PeerSession.class);

    /** AWAITING: the dialer asked about a release whose manifest we are still fetching (protocol.md §4, rule 4). */
    private enum State { HANDSHAKE, HELLO, INTEREST, AWAITING, BITFIELD, READY, CLOSED }

    /**
     * The most messages a dialer may send while we wait for the manifest it asked about: its BITFIELD,
     * then HAVE and FETCHING as it verifies and fetches chunks. Reading stops while we wait, so only
     * what was read with the INTEREST arrives; more than this is a flood.
     */
    private static final int MAX_HELD_MESSAGES = 1024;

    /** How long a connection stays open after our GOODBYE for the peer to read it and close. */
    private static final long GOODBYE_LINGER_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final PeerNetwork network;
    private final boolean dialer;
    /** The peer id the tracker gave for the peer we dial; null when accepting. */
    private final PeerId expectedPeer;
    private Channel channel;
    private State state = State.HANDSHAKE;
    private ReleaseSwarm swarm;
    private volatile Hello remote;
    /** The protocol version both sides speak, once the peer's HELLO arrived. */
    private volatile int version;
    private BitSet remoteHas = new BitSet();
    /** The chunks the peer said it is fetching from the origin (FETCHING) and has not sent HAVE for. */
    private final BitSet remoteFetching = new BitSet();
    private ScheduledFuture<?> handshakeTimer;
    private ChannelHandlerContext context;
    /** What the dialer sent while we were AWAITING, in order; handled once the release is here. */
    private final List<Message> held = new ArrayList<>();

    // download side: requests we sent and not yet answered, by block, counted: a block asked for again
    // after a timeout may be answered twice, since the cancelled request may still be answered once
    private final Map<BlockRange, Integer> outstanding = new HashMap<>();
    /** Requests we still want answered: {@link #outstanding} less those we cancelled. */
    private final Map<BlockRange, Integer> live = new HashMap<>();
    private long downloadDebt;
    private boolean readPaused;
    /** Bytes the peer sent while it owed us blocks (protocol.md §6, slow transfers). */
    private final TransferWatch receiving;
    /** Bytes the peer took of the DATA we wrote while some was waiting for it. */
    private final TransferWatch sending;
    private long bytesWritten;
    private long bytesFlushed;
    private ScheduledFuture<?> watchTimer;

    // upload side
    private final ArrayDeque<Request> queue = new ArrayDeque<>();
    private boolean unchokedByUs;
    private boolean interestedInUs;
    /** Whether our BITFIELD is written: no CHOKE or UNCHOKE may go before it (protocol.md §4). */
    private boolean bitfieldSent;
    private long uploadCredit;
    private boolean pumpScheduled;
    /** Requests refused (every REJECT reason) since our last CHOKE or UNCHOKE: past twice the limit, a flood, cut off. */
    private int refusedRequests;

    /** An accepted connection over the limit: it only says GOODBYE TOO_MANY_CONNECTIONS after the handshake. */
    private final boolean refuse;

    PeerSession(PeerNetwork network, boolean dialer, ReleaseSwarm swarm, PeerId expectedPeer) {
        this(network, dialer, swarm, expectedPeer, false);
    }

    PeerSession(PeerNetwork network, boolean dialer, ReleaseSwarm swarm, PeerId expectedPeer, boolean refuse) {
        this.refuse = refuse;
        this.network = network;
        this.dialer = dialer;
        this.swarm = swarm;
        this.expectedPeer = expectedPeer;
        PeerLimits limits = network.config().limits();
        this.receiving = new TransferWatch(limits.minTransferBytesPerSecond(), limits.slowTransferGrace().toNanos());
        this.sending = new TransferWatch(limits.minTransferBytesPerSecond(), limits.slowTransferGrace().toNanos());
    }

    /** The handler between TLS and the decoder that counts the bytes the peer sends, frames whole or not. */
    ChannelInboundHandlerAdapter meter() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof ByteBuf buf) {
                    receiving.moved(buf.readableBytes());
                }
                ctx.fireChannelRead(msg);
            }
        };
    }

    // ---- identity, for the swarm (any thread after READY)

    PeerId peerId() {
        return remote.peerId();
    }

    /** The peer's id once its HELLO arrived, else null. */
    PeerId peerIdOrNull() {
        Hello h = remote;
        return h == null ? null : h.peerId();
    }

    String group() {
        return remote.group();
    }

    /** The peer id we dialed, from the tracker; null for an accepted connection. */
    PeerId expectedPeer() {
        return expectedPeer;
    }

    boolean dialer() {
        return dialer;
    }

    Channel channel() {
        return channel;
    }

    @Override
    public String toString() {
        return (remote == null ? "?" : remote.peerId().toString().substring(0, 8)) + "@" + (channel == null ? "?" : channel.remoteAddress());
    }

    // ---- lifecycle

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        context = ctx;
        long timeout = network.config().handshakeTimeout().toNanos();
        handshakeTimer = ctx.executor().schedule(() -> {
            if (state != State.READY && state != State.CLOSED) {
                log.debug("peer {} did not finish its handshake within {}", channel.remoteAddress(),
                        network.config().handshakeTimeout());
                ctx.close();
            }
        }, timeout, TimeUnit.NANOSECONDS);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SslHandshakeCompletionEvent done) {
            if (done.isSuccess() && state == State.HANDSHAKE && refuse) {
                goodbye(Goodbye.Reason.TOO_MANY_CONNECTIONS, "at the limit of " + network.config().maxPeers()
                        + " peer connections");
            } else if (done.isSuccess() && state == State.HANDSHAKE) {
                state = State.HELLO;
                ctx.write(new Hello(Hello.PROTOCOL_VERSION, network.config().peerId(), network.config().group(),
                        network.listenPort()));
                if (dialer) {
                    ctx.write(new Interest(swarm.manifestDigest()));
                    swarm.open(this);
                }
                ctx.flush();
            }
        } else if (evt instanceof IdleStateEvent idle) {
            if (idle.state() == IdleState.READER_IDLE) {
                goodbye(Goodbye.Reason.IDLE, "nothing received for " + network.config().idleTimeout().toSeconds() + " s");
            } else if (idle.state() == IdleState.WRITER_IDLE && state == State.READY) {
                ctx.writeAndFlush(new Ping(ThreadLocalRandom.current().nextLong()));
            }
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        State was = state;
        state = State.CLOSED;
        if (handshakeTimer != null) {
            handshakeTimer.cancel(false);
        }
        if (watchTimer != null) {
            watchTimer.cancel(false);
        }
        Throwable fault = ProtocolErrorHandler.closeReason(channel).orElse(null);
        if (fault instanceof DecoderException && !(fault.getCause() instanceof SSLException)) {
            network.cutOff(); // garbage, an oversized frame, a message out of sequence, a flood
        }
        queue.clear();
        held.clear();
        network.sessionClosed(this);
        if (swarm != null) {
            swarm.closed(this);
        }
        super.channelInactive(ctx);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (channel.isWritable()) {
            pump();
        }
        super.channelWritabilityChanged(ctx);
    }

    // ---- inbound

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (state == State.CLOSED) {
            if (msg instanceof Goodbye) {
                channel.close(); // both said goodbye: nobody waits for anybody
            }
            ReferenceCountUtil.release(msg);
            return;
        }
        if (!(msg instanceof Message m)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        // DATA is handed on (and released) only in READY; in any other state it is a protocol error, released here
        boolean dataHandedOn = m instanceof Data && state == State.READY;
        try {
            if (m instanceof Goodbye bye && state != State.READY) {
                log.debug("peer {} said goodbye during the handshake: {} {}", channel.remoteAddress(), bye.reason(),
                        bye.message());
                state = State.CLOSED;
                channel.close();
                return;
            }
            handle(m);
        } finally {
            if (!dataHandedOn) {
                ReferenceCountUtil.release(msg);
            }
        }
    }

    private void handle(Message m) {
        switch (state) {
            case HANDSHAKE -> throw violation("a message before the TLS handshake finished");
            case HELLO -> onHello(m);
            case INTEREST -> onInterest(m);
            case AWAITING -> hold(m);
            case BITFIELD -> onBitfield(m);
            case READY -> onMessage(m);
            case CLOSED -> { }
        }
    }

    private void onHello(Message m) {
        if (!(m instanceof Hello hello)) {
            throw violation("expected HELLO first, got " + m.getClass().getSimpleName().toUpperCase());
        }
        if (hello.protocolVersion() < 1) {
            goodbye(Goodbye.Reason.VERSION_UNSUPPORTED, "version " + hello.protocolVersion());
            return;
        }
        if (hello.peerId().equals(network.config().peerId())) {
            goodbye(Goodbye.Reason.DUPLICATE, "that is my own peer id");
            return;
        }
        if (expectedPeer != null && !expectedPeer.equals(hello.peerId())) {
            goodbye(Goodbye.Reason.OTHER, "expected peer " + expectedPeer + " at this address");
            return;
        }
        version = Math.min(Hello.PROTOCOL_VERSION, hello.protocolVersion());
        remote = hello;
        state = dialer ? State.BITFIELD : State.INTEREST;
    }

    private void onInterest(Message m) {
        if (!(m instanceof Interest interest)) {
            throw violation("expected INTEREST after HELLO, got " + m.getClass().getSimpleName().toUpperCase());
        }
        ReleaseSwarm found = network.swarm(interest.manifest());
        if (found == null && network.awaitRelease(interest.manifest(), this)) {
            // announced before its manifest arrived: the answer waits for it (releaseArrived), within
            // the handshake timeout, and reading stops meanwhile
            state = State.AWAITING;
            channel.config().setAutoRead(false);
            return;
        }
        if (found == null) {
            found = network.swarm(interest.manifest()); // registered since the first look
        }
        if (found == null) {
            goodbye(Goodbye.Reason.UNKNOWN_RELEASE, "no release " + interest.manifest().shortHex() + " here");
            return;
        }
        offer(found);
    }

    private void offer(ReleaseSwarm found) {
        swarm = found;
        state = State.BITFIELD;
        swarm.open(this);
    }

    private void hold(Message m) {
        if (m instanceof Data) {
            throw violation("DATA before the BITFIELDs were exchanged");
        }
        if (held.size() >= MAX_HELD_MESSAGES) {
            throw violation("more than " + MAX_HELD_MESSAGES + " messages before our BITFIELD");
        }
        held.add(m);
    }

    /**
     * The release a dialer asked about while we fetched its manifest is offered now ({@code found}),
     * or will not be (null: the manifest could not be fetched): answer the INTEREST, then handle what
     * the dialer sent meanwhile. Any thread.
     */
    void releaseArrived(ReleaseSwarm found) {
        try {
            channel.eventLoop().execute(() -> answerHeldInterest(found));
        } catch (RejectedExecutionException e) {
            // the event loops are shutting down: so is this connection
        }
    }

    private void answerHeldInterest(ReleaseSwarm found) {
        if (state != State.AWAITING) {
            return; // closed meanwhile
        }
        List<Message> replay = List.copyOf(held);
        held.clear();
        if (found == null) {
            goodbye(Goodbye.Reason.UNKNOWN_RELEASE, "the release asked about could not be fetched here");
            return;
        }
        offer(found);
        try {
            for (Message m : replay) {
                handle(m);
            }
        } catch (RuntimeException e) {
            context.fireExceptionCaught(e); // as if thrown while reading: the error handler closes
            return;
        }
        channel.config().setAutoRead(true); // after the replay: nothing read may overtake what was held
    }

    private void onBitfield(Message m) {
        if (!(m instanceof Bitfield bitfield)) {
            throw violation("expected BITFIELD, got " + m.getClass().getSimpleName().toUpperCase());
        }
        if (bitfield.count() != swarm.chunkCount()) {
            throw violation("BITFIELD of " + bitfield.count() + " chunks for a release of " + swarm.chunkCount());
        }
        remoteHas = bitfield.held();
        state = State.READY;
        handshakeTimer.cancel(false);
        long every = Math.min(TimeUnit.SECONDS.toNanos(1), network.config().limits().slowTransferGrace().toNanos() / 4);
        watchTimer = channel.eventLoop().scheduleAtFixedRate(this::watchRates, every, every, TimeUnit.NANOSECONDS);
        swarm.ready(this, (BitSet) remoteHas.clone());
        if (bitfieldSent) {
            updateInterest();
        }
    }

    private void onMessage(Message m) {
        switch (m) {
            case Have have -> {
                if (have.chunk() >= swarm.chunkCount()) {
                    throw violation("HAVE " + have.chunk() + " in a release of " + swarm.chunkCount() + " chunks");
                }
                remoteFetching.clear(have.chunk());
                if (!remoteHas.get(have.chunk())) {
                    remoteHas.set(have.chunk());
                    swarm.have(this, have.chunk());
                    updateInterest();
                }
            }
            case Fetching fetching -> onFetching(fetching.chunk());
            case Data data -> onData(data);
            case Reject reject -> {
                if (answered(reject.range())) {
                    swarm.rejected(this, block(reject.range()), reject.reason());
                }
            }
            case Choke c -> swarm.choked(this);
            case Unchoke u -> swarm.unchoked(this);
            case Request request -> onRequest(request);
            case Cancel cancel -> queue.removeIf(r -> r.range().equals(cancel.range()));
            case Ping ping -> {
                if (channel.isWritable()) { // a peer that floods PINGs and reads nothing gets no PONGs to pile up
                    channel.writeAndFlush(new Pong(ping.nonce()));
                }
            }
            case Pong pong -> { }
            case Goodbye bye -> {
                log.debug("peer {} said goodbye: {} {}", this, bye.reason(), bye.message());
                state = State.CLOSED;
                channel.close();
            }
            case Hello h -> throw violation("a second HELLO");
            case Interest i -> throw violation("INTEREST after the handshake");
            case Bitfield b -> throw violation("a second BITFIELD");
        }
    }

    private void onFetching(int chunk) {
        if (!tellsFetching()) {
            throw violation("FETCHING on a connection of protocol version " + version);
        }
        if (chunk >= swarm.chunkCount()) {
            throw violation("FETCHING " + chunk + " in a release of " + swarm.chunkCount() + " chunks");
        }
        if (remoteHas.get(chunk) || remoteFetching.get(chunk)) {
            return;
        }
        if (remoteFetching.cardinality() >= Fetching.MAX_OUTSTANDING) {
            throw violation("FETCHING for more than " + Fetching.MAX_OUTSTANDING + " chunks without HAVE");
        }
        remoteFetching.set(chunk);
        swarm.fetching(this, chunk);
    }

    private void onData(Data data) {
        if (!answered(data.range())) {
            data.release();
            throw violation("DATA for chunk " + data.chunk() + " offset " + data.offset() + " length "
                    + data.block().readableBytes() + ", which was not requested");
        }
        int length = data.block().readableBytes();
        swarm.data(this, block(data.range()), data);
        throttleDownload(length);
    }

    /** Counts off one answer to a request for {@code range}; false if none is due. */
    private boolean answered(BlockRange range) {
        if (!countDown(outstanding, range)) {
            return false;
        }
        countDown(live, range);
        return true;
    }

    private static boolean countDown(Map<BlockRange, Integer> requests, BlockRange range) {
        Integer due = requests.get(range);
        if (due == null) {
            return false;
        }
        if (due == 1) {
            requests.remove(range);
        } else {
            requests.put(range, due - 1);
        }
        return true;
    }

    /**
     * The minimum transfer rate, both ways (PeerLimits): a peer that holds our requests without
     * answering them, or drips its answers, and a peer that leaves our DATA unread, pinning an
     * upload slot and the memory queued for it, are told TOO_SLOW and closed.
     */
    private void watchRates() {
        if (state != State.READY) {
            return;
        }
        long now = System.nanoTime();
        double in = receiving.check(now, !live.isEmpty() && !readPaused);
        if (in >= 0) {
            goodbye(Goodbye.Reason.TOO_SLOW, String.format(java.util.Locale.ROOT,
                    "sent %.0f bytes/s while our requests waited; the minimum is %d", in,
                    network.config().limits().minTransferBytesPerSecond()));
            return;
        }
        double out = sending.check(now, bytesWritten > bytesFlushed);
        if (out >= 0) {
            goodbye(Goodbye.Reason.TOO_SLOW, String.format(java.util.Locale.ROOT,
                    "read %.0f bytes/s of the blocks it asked for; the minimum is %d", out,
                    network.config().limits().minTransferBytesPerSecond()));
        }
    }

    /** Takes download tokens for what arrived; with none left, stops reading until they come back. */
    private void throttleDownload(long bytes) {
        downloadDebt += bytes;
        downloadDebt -= network.downloadBucket().tryTake(downloadDebt);
        if (downloadDebt > 0 && !readPaused) {
            readPaused = true;
            channel.config().setAutoRead(false);
            scheduleResume();
        }
    }

    private void scheduleResume() {
        long wait = Math.max(1_000_000, network.downloadBucket().nanosUntil(Math.min(downloadDebt,
                Math.max(1, network.downloadBucket().limit().burstBytes()))));
        channel.eventLoop().schedule(() -> {
            downloadDebt -= network.downloadBucket().tryTake(downloadDebt);
            if (downloadDebt > 0) {
                scheduleResume();
            } else {
                readPaused = false;
                channel.config().setAutoRead(true);
            }
        }, wait, TimeUnit.NANOSECONDS);
    }

    private void onRequest(Request request) {
        int chunk = request.chunk();
        if (chunk >= swarm.chunkCount()) {
            throw violation("REQUEST for chunk " + chunk + " in a release of " + swarm.chunkCount() + " chunks");
        }
        if (!unchokedByUs) {
            refuse(request, Reject.Reason.CHOKED);
        } else if (!swarm.held().get(chunk)) {
            refuse(request, Reject.Reason.NOT_HELD);
        } else if ((long) request.offset() + request.length() > swarm.chunk(chunk).size()) {
            refuse(request, Reject.Reason.OUT_OF_RANGE);
        } else if (queue.size() >= network.config().maxRequestsPerPeer()) {
            refuse(request, Reject.Reason.TOO_MANY_REQUESTS);
        } else {
            queue.add(request);
            pump();
        }
    }

    /**
     * Refuses a request the peer should not have sent (choked, past the limit, for a chunk we do not
     * hold or beyond its end). An honest peer's few cross our CHOKE on the wire; more than twice the
     * limit between two of our CHOKE/UNCHOKE decisions is a flood, closed before the REJECTs we owe
     * it pile up unread.
     */
    private void refuse(Request request, Reject.Reason reason) {
        int limit = network.config().maxRequestsPerPeer();
        if (++refusedRequests > 2 * limit) {
            throw violation("flooding: " + refusedRequests + " requests refused (" + reason
                    + ") since our last CHOKE or UNCHOKE; at most " + limit + " may be in flight");
        }
        reject(request, reason);
    }

    private void reject(Request request, Reject.Reason reason) {
        channel.writeAndFlush(new Reject(request.range(), reason));
    }

    // ---- upload

    /** Sends DATA for queued requests while the peer is unchoked, the channel writable and tokens there. */
    private void pump() {
        boolean wrote = false;
        while (unchokedByUs && !queue.isEmpty() && channel.isWritable()) {
            Request r = queue.peek();
            ChunkInfo info = swarm.chunk(r.chunk());
            byte[] bytes = network.served().getIfPresent(info.digest());
            if (bytes == null) {
                network.served().load(info.digest()).whenComplete((data, error) -> channel.eventLoop().execute(() -> {
                    if (error != null) {
                        log.warn("cannot serve chunk {} of {}: {}", info.digest().shortHex(), swarm, error.getMessage());
                        Iterator<Request> it = queue.iterator();
                        while (it.hasNext()) {
                            Request q = it.next();
                            if (q.chunk() == r.chunk()) {
                                it.remove();
                                reject(q, Reject.Reason.NOT_HELD);
                            }
                        }
                    }
                    pump();
                }));
                break;
            }
            if (uploadCredit < r.length()) {
                uploadCredit += network.uploadBucket().tryTake(r.length() - uploadCredit);
                if (uploadCredit < r.length()) {
                    schedulePump(network.uploadBucket().nanosUntil(r.length() - uploadCredit));
                    break;
                }
            }
            uploadCredit -= r.length();
            queue.poll();
            ByteBuf block = Unpooled.wrappedBuffer(bytes, r.offset(), r.length());
            if (network.lying()) {
                block = Unpooled.copiedBuffer(block);
                block.setByte(r.length() / 2, block.getByte(r.length() / 2) ^ 0x10);
            }
            int length = r.length();
            bytesWritten += length;
            channel.write(new Data(r.chunk(), r.offset(), block)).addListener(f -> {
                bytesFlushed += length;
                if (f.isSuccess()) {
                    sending.moved(length);
                }
            });
            wrote = true;
            network.uploaded(this, r.length());
        }
        if (wrote) {
            channel.flush();
        }
    }

    private void schedulePump(long nanos) {
        if (!pumpScheduled) {
            pumpScheduled = true;
            channel.eventLoop().schedule(() -> {
                pumpScheduled = false;
                pump();
            }, Math.max(100_000, nanos), TimeUnit.NANOSECONDS);
        }
    }

    /** Our upload slots decided; on the channel's loop. */
    void setUnchoked(boolean unchoke) {
        if (!channel.eventLoop().inEventLoop()) {
            channel.eventLoop().execute(() -> setUnchoked(unchoke));
            return;
        }
        if (state != State.READY || unchoke == unchokedByUs) {
            return;
        }
        unchokedByUs = unchoke;
        refusedRequests = 0;
        if (unchoke) {
            channel.writeAndFlush(Unchoke.INSTANCE);
        } else {
            channel.write(Choke.INSTANCE);
            for (Request r : queue) {
                channel.write(new Reject(r.range(), Reject.Reason.CHOKED));
            }
            queue.clear();
            channel.flush();
        }
    }

    /** Whether the peer lacks something we hold decides whether it wants an upload slot. */
    private void updateInterest() {
        if (!bitfieldSent) {
            return; // the peer is not offered a slot before it has our BITFIELD; sendBitfield comes back here
        }
        boolean interested = swarm.held().holdsAnyMissingFrom(remoteHas);
        if (interested != interestedInUs) {
            interestedInUs = interested;
            network.interest(this, interested);
        }
    }

    // ---- called by the swarm (any thread)

    /** Sends our BITFIELD; the swarm calls it once, from its thread, before any HAVE. */
    void sendBitfield(BitSet held, int count) {
        Bitfield bitfield = new Bitfield(count, held);
        channel.eventLoop().execute(() -> {
            channel.writeAndFlush(bitfield);
            bitfieldSent = true;
            if (state == State.READY) {
                updateInterest();
            }
        });
    }

    /**
     * Sends HAVE. Queued on the connection's loop like the BITFIELD before it, never written
     * directly: the swarm may run on this very loop, and a direct write would overtake a BITFIELD
     * still queued.
     */
    void sendHave(int chunk) {
        channel.eventLoop().execute(() -> {
            channel.writeAndFlush(new Have(chunk));
            if (state == State.READY) {
                updateInterest();
            }
        });
    }

    /** Whether the connection's version has FETCHING (known once it is ready): the peer tells what it fetches from the origin. */
    boolean tellsFetching() {
        return version >= Fetching.SINCE_VERSION;
    }

    /** Sends FETCHING if the connection's version has it (known once it is ready); queued on its loop, like HAVE. */
    void sendFetching(int chunk) {
        if (!tellsFetching()) {
            return;
        }
        channel.eventLoop().execute(() -> {
            if (state == State.READY) {
                channel.writeAndFlush(new Fetching(chunk));
            }
        });
    }

    void request(Block block) {
        BlockRange range = new BlockRange(block.chunk(), block.offset(), block.length());
        channel.eventLoop().execute(() -> {
            if (state == State.READY) {
                outstanding.merge(range, 1, Integer::sum);
                live.merge(range, 1, Integer::sum);
                channel.write(new Request(range));
            }
        });
    }

    void cancel(Block block) {
        channel.eventLoop().execute(() -> {
            if (state == State.READY) {
                BlockRange range = new BlockRange(block.chunk(), block.offset(), block.length());
                countDown(live, range);
                channel.write(new Cancel(range));
            }
        });
    }

    void flush() {
        channel.flush();
    }

    /** Says why, then closes. */
    void goodbye(Goodbye.Reason reason, String message) {
        if (channel == null) {
            return;
        }
        if (!channel.eventLoop().inEventLoop()) {
            channel.eventLoop().execute(() -> goodbye(reason, message));
            return;
        }
        if (state == State.CLOSED) {
            return;
        }
        if (reason == Goodbye.Reason.BANNED || reason == Goodbye.Reason.TOO_SLOW) {
            network.cutOff();
        }
        if (reason == Goodbye.Reason.TOO_SLOW) {
            log.warn("peer {}: too slow, closing: {}", this, message); // a ban is logged by the swarm
        }
        state = State.CLOSED;
        // Closing a socket with unread bytes makes the kernel reset the connection, and a GOODBYE the
        // peer has not read yet is lost with it; a peer being banned is usually still sending DATA.
        // So keep reading, and dropping, what arrives until the peer closes on reading the GOODBYE
        // (protocol.md §5), or GOODBYE_LINGER has passed.
        channel.config().setAutoRead(true);
        // The linger starts now, not once the GOODBYE is written: behind DATA a peer leaves unread it may never be.
        channel.eventLoop().schedule(() -> channel.close(), GOODBYE_LINGER_NANOS, TimeUnit.NANOSECONDS);
        channel.writeAndFlush(Goodbye.truncating(reason, message)).addListener(f -> {
            if (!f.isSuccess()) {
                channel.close();
            }
        });
    }

    private static Block block(BlockRange range) {
        return new Block(range.chunk(), range.offset(), range.length());
    }

    private static CorruptedFrameException violation(String what) {
        return new CorruptedFrameException("protocol violation: " + what);
    }
}
