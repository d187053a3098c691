package io.sentinel.common.security;

import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;

import io.quarkus.security.identity.SecurityIdentity;
import io.sentinel.common.error.SentinelException;
import io.sentinel.common.grpc.GrpcCallContext;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/** Applies {@link InternalCallPolicy} to every method of an {@link InternalRpc} service. */
@InternalRpc
@Interceptor
// Before Quarkus's own security check (PLATFORM_BEFORE), so a refusal names its reason; @RolesAllowed stays as the second guard.
@Priority(Interceptor.Priority.PLATFORM_BEFORE - 100)
public class InternalRpcInterceptor {
    @Inject
    SecurityIdentity identity;
    @Inject
    InternalCallPolicy policy;

    @AroundInvoke
    Object check(InvocationContext invocation) throws Exception {
        SentinelException refusal = policy.refusal(identity, GrpcCallContext.method(), GrpcCallContext.peerService());
        if (refusal == null && invocation.getParameters().length == 1) {
            refusal = policy.refusal(invocation.getParameters()[0]);
        }
        if (refusal == null) {
            return invocation.proceed();
        }
        Class<?> returns = invocation.getMethod().getReturnType();
        if (Uni.class.isAssignableFrom(returns)) {
            return Uni.createFrom().failure(refusal);
        }
        if (Multi.class.isAssignableFrom(returns)) {
            return Multi.createFrom().failure(refusal);
        }
        throw refusal;
    }
}
