package io.sentinel.common.rest;

import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.UriInfo;

import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import io.sentinel.common.error.SentinelException;

/**
 * Refuses, in every service, a query parameter the operation does not declare (400 naming it)
 * instead of ignoring it: a misspelt filter ({@code ?subject_id=} for {@code ?subjectId=}) used to
 * return every alert of the agency as if it had filtered. Resources marked
 * {@link AcceptsAnyQueryParameter} (device protocols) are exempt.
 */
public class KnownQueryParameters {
    private static final Map<Method, Set<String>> DECLARED = new ConcurrentHashMap<>();
    /** Marks an operation that accepts any parameter. */
    private static final Set<String> ANY = Set.of();

    @ServerRequestFilter
    public void refuseUnknownQueryParameters(UriInfo uri, ResourceInfo resource) {
        Method method = resource == null ? null : resource.getResourceMethod();
        if (method == null || uri.getQueryParameters().isEmpty()) {
            return;
        }
        Set<String> known = DECLARED.computeIfAbsent(method, m -> declared(m, resource.getResourceClass()));
        if (known == ANY) {
            return;
        }
        List<String> unknown = new ArrayList<>();
        for (String name : uri.getQueryParameters().keySet()) {
            if (!known.contains(name)) {
                unknown.add(name);
            }
        }
        if (!unknown.isEmpty()) {
            String detail = (unknown.size() == 1 ? "is not a query parameter" : "are not query parameters (" + String.join(", ", unknown) + ")")
                    + " of this operation; " + (known.isEmpty() ? "it takes none" : "it takes " + String.join(", ", known));
            throw SentinelException.invalid(unknown.get(0), detail);
        }
    }

    static Set<String> declared(Method method, Class<?> resourceClass) {
        if (method.isAnnotationPresent(AcceptsAnyQueryParameter.class)
                || (resourceClass != null && resourceClass.isAnnotationPresent(AcceptsAnyQueryParameter.class))
                || method.getDeclaringClass().isAnnotationPresent(AcceptsAnyQueryParameter.class)) {
            return ANY;
        }
        Set<String> names = new TreeSet<>();
        for (Parameter p : method.getParameters()) {
            QueryParam q = p.getAnnotation(QueryParam.class);
            if (q != null) {
                names.add(q.value());
            }
            RestQuery r = p.getAnnotation(RestQuery.class);
            if (r != null) {
                names.add(r.value().isEmpty() ? p.getName() : r.value());
            }
        }
        return names;
    }
}
