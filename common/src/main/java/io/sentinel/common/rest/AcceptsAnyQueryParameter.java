package io.sentinel.common.rest;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Exempts a REST resource (or one operation) from {@link KnownQueryParameters}: for device protocol
 * endpoints (OsmAnd/Traccar), whose devices send parameters of their own that the parser skips.
 */
@Target({ ElementType.TYPE, ElementType.METHOD })
@Retention(RetentionPolicy.RUNTIME)
public @interface AcceptsAnyQueryParameter {
}
