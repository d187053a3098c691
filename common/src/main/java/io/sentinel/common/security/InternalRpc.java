package io.sentinel.common.security;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import jakarta.interceptor.InterceptorBinding;

/**
 * Marks a gRPC service implementing an internal contract ({@code sentinel.internal.v1}): every
 * call is checked against the method's {@code allowed_callers} by {@link InternalCallPolicy}.
 */
@InterceptorBinding
@Target({ ElementType.TYPE, ElementType.METHOD })
@Retention(RetentionPolicy.RUNTIME)
public @interface InternalRpc {
}
