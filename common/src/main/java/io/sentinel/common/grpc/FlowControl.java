package io.sentinel.common.grpc;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.spi.Prioritized;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.quarkus.grpc.GlobalInterceptor;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.MultiEmitter;
import io.smallrye.mutiny.subscription.MultiSubscriber;

/**
 * Lets a server stream go only as fast as its client reads. Quarkus's Mutiny bridge requests every
 * item of a returned Multi at once and queues what the transport cannot send yet, so a long stream
 * (a lifetime trail) would pile up in memory. A service wraps such a stream in {@link #paced}: one
 * item is requested from it at a time, and only while the call can take more (gRPC flow control,
 * {@link ServerCall#isReady()}), so a demand-driven source (keyset pages, a peer's stream) reads no
 * further ahead than the client. This interceptor makes the call's readiness reachable there.
 */
@ApplicationScoped
@GlobalInterceptor
public class FlowControl implements ServerInterceptor, Prioritized {
    private static final Context.Key<Readiness> READINESS = Context.key("sentinel-readiness");

    @Override
    public int getPriority() {
        // After GrpcCallContext (1), so the context is attached when the service method runs.
        return 0;
    }

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
            ServerCallHandler<ReqT, RespT> next) {
        if (call.getMethodDescriptor().getType() != MethodDescriptor.MethodType.SERVER_STREAMING) {
            return next.startCall(call, headers);
        }
        Readiness readiness = new Readiness(call);
        ServerCall.Listener<ReqT> listener = Contexts.interceptCall(Context.current().withValue(READINESS, readiness), call, headers, next);
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
            @Override
            public void onReady() {
                super.onReady();
                readiness.ready();
            }
        };
    }

    /**
     * The stream, paced by the client of the server-streaming call being served on this thread;
     * unchanged outside one (a test calling the service bean directly).
     */
    public static <T> Multi<T> paced(Multi<T> upstream) {
        Readiness readiness = READINESS.get();
        return readiness == null ? upstream : paced(upstream, readiness::isReady, readiness.listeners);
    }

    /** The stream, items requested one at a time while {@code ready} holds; each of {@code wakeUps} gets a way to resume. */
    static <T> Multi<T> paced(Multi<T> upstream, java.util.function.BooleanSupplier ready, List<Runnable> wakeUps) {
        return Multi.createFrom().emitter(emitter -> {
            Pump<T> pump = new Pump<>(emitter, ready);
            Runnable wakeUp = pump::pull;
            wakeUps.add(wakeUp);
            emitter.onRequest(n -> pump.pull());
            emitter.onTermination(() -> {
                wakeUps.remove(wakeUp);
                pump.cancel();
            });
            upstream.subscribe().withSubscriber(pump);
        });
    }

    static final class Readiness {
        final ServerCall<?, ?> call;
        final List<Runnable> listeners = new CopyOnWriteArrayList<>();

        Readiness(ServerCall<?, ?> call) {
            this.call = call;
        }

        boolean isReady() {
            return call.isReady();
        }

        void ready() {
            listeners.forEach(Runnable::run);
        }
    }

    private static final class Pump<T> implements MultiSubscriber<T> {
        private final MultiEmitter<? super T> out;
        private final java.util.function.BooleanSupplier ready;
        private final AtomicReference<Flow.Subscription> subscription = new AtomicReference<>();
        private final AtomicBoolean inFlight = new AtomicBoolean();
        private volatile boolean done;

        Pump(MultiEmitter<? super T> out, java.util.function.BooleanSupplier ready) {
            this.out = out;
            this.ready = ready;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription.set(s);
            pull();
        }

        @Override
        public void onItem(T item) {
            if (done) {
                return;
            }
            out.emit(item);
            inFlight.set(false);
            pull();
        }

        @Override
        public void onFailure(Throwable t) {
            done = true;
            out.fail(t);
        }

        @Override
        public void onCompletion() {
            done = true;
            out.complete();
        }

        /** Asks for the next item when none is on its way, the downstream wants one and the call can take it. */
        void pull() {
            Flow.Subscription s = subscription.get();
            if (s != null && !done && out.requested() > 0 && ready.getAsBoolean() && inFlight.compareAndSet(false, true)) {
                s.request(1);
            }
        }

        void cancel() {
            done = true;
            Flow.Subscription s = subscription.get();
            if (s != null) {
                s.cancel();
            }
        }
    }
}
