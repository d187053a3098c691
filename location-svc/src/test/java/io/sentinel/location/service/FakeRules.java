package io.sentinel.location.service;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.sentinel.api.internal.v1.DeviceEvent;
import io.sentinel.api.internal.v1.EvaluateFixesRequest;
import io.sentinel.api.internal.v1.EvaluateFixesResponse;
import io.sentinel.api.internal.v1.EvaluatedFix;
import io.sentinel.api.internal.v1.RecordDeviceEventsRequest;
import io.sentinel.api.internal.v1.RecordDeviceEventsResponse;
import io.sentinel.api.internal.v1.RulesIntakeServiceGrpc;

/**
 * An in-process stand-in for rules-svc on a fixed free port, which a test can stop and start
 * again to play a peer restart. It records what it was sent; it evaluates nothing.
 */
public final class FakeRules extends RulesIntakeServiceGrpc.RulesIntakeServiceImplBase {
    public static final int PORT = freePort();
    public static final FakeRules INSTANCE = new FakeRules();

    public final Set<Long> fixIds = ConcurrentHashMap.newKeySet();
    public final List<DeviceEvent> events = new CopyOnWriteArrayList<>();
    /** Subjects without a known monitoring order: their events are deferred, as the real rules-svc does. */
    public final Set<String> unknownSubjects = ConcurrentHashMap.newKeySet();
    private Server server;

    private FakeRules() {
    }

    public synchronized void start() {
        if (server != null) {
            return;
        }
        try {
            server = NettyServerBuilder.forPort(PORT).addService(this).build().start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the fake rules-svc on port " + PORT, e);
        }
    }

    public synchronized void stop() throws InterruptedException {
        if (server != null) {
            server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            server = null;
        }
    }

    @Override
    public StreamObserver<EvaluateFixesRequest> streamFixes(StreamObserver<EvaluateFixesResponse> out) {
        return new StreamObserver<>() {
            @Override
            public void onNext(EvaluateFixesRequest request) {
                long last = 0;
                for (EvaluatedFix f : request.getFixesList()) {
                    fixIds.add(f.getFixId());
                    last = Math.max(last, f.getFixId());
                }
                out.onNext(EvaluateFixesResponse.newBuilder().setLastFixId(last).build());
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onCompleted() {
                out.onCompleted();
            }
        };
    }

    @Override
    public void recordDeviceEvents(RecordDeviceEventsRequest request, StreamObserver<RecordDeviceEventsResponse> out) {
        RecordDeviceEventsResponse.Builder answer = RecordDeviceEventsResponse.newBuilder();
        for (DeviceEvent e : request.getEventsList()) {
            if (unknownSubjects.contains(e.getSubjectId())) {
                answer.addDeferredEventIds(e.getEventId());
            } else {
                events.add(e);
                answer.setAlertsOpened(answer.getAlertsOpened() + 1);
            }
        }
        out.onNext(answer.build());
        out.onCompleted();
    }

    /** Kept in a system property: the test profile and the test may see this class through different class loaders. */
    private static int freePort() {
        String held = System.getProperty("sentinel.test.fake-rules-port");
        if (held != null) {
            return Integer.parseInt(held);
        }
        try (ServerSocket s = new ServerSocket(0)) {
            System.setProperty("sentinel.test.fake-rules-port", String.valueOf(s.getLocalPort()));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
