package io.sentinel.common.security;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.runtime.LaunchMode;

/**
 * The agencies a deployment deals with. It acts as {@code sentinel.agency.id}; it holds the data
 * of the agencies in {@code sentinel.agency.served} (by default that one agency), and the users of
 * the agencies in {@code sentinel.agency.partners} may read, as partners, what a grant shares with
 * them. A token naming any other agency is refused.
 *
 * <p>Entries ending in {@code *} match by prefix. They exist for test suites that give each test
 * an agency of its own, and are refused when the application runs in production mode.
 */
@ApplicationScoped
public class ServedAgencies {
    static final Pattern AGENCY_ID = Pattern.compile("[a-z][a-z0-9-]{1,39}");

    private final String own;
    private final List<String> served;
    private final List<String> partners;

    @Inject
    public ServedAgencies(@ConfigProperty(name = "sentinel.agency.id") String own,
            @ConfigProperty(name = "sentinel.agency.served") Optional<List<String>> served,
            @ConfigProperty(name = "sentinel.agency.partners") Optional<List<String>> partners) {
        this(own, served.orElse(List.of(own)), partners.orElse(List.of()), LaunchMode.current());
    }

    ServedAgencies(String own, List<String> served, List<String> partners, LaunchMode mode) {
        this.own = check("sentinel.agency.id", own, false);
        this.served = served.stream().map(String::strip).filter(s -> !s.isEmpty())
                .map(s -> check("sentinel.agency.served", s, mode != LaunchMode.NORMAL)).toList();
        this.partners = partners.stream().map(String::strip).filter(s -> !s.isEmpty())
                .map(s -> check("sentinel.agency.partners", s, mode != LaunchMode.NORMAL)).toList();
        if (!matches(this.served, own)) {
            throw new IllegalStateException("sentinel.agency.served must include the deployment's own agency " + own);
        }
    }

    private static String check(String property, String value, boolean patternsAllowed) {
        String id = patternsAllowed && value.endsWith("*") ? value.substring(0, value.length() - 1) + "x" : value;
        if (!AGENCY_ID.matcher(id).matches()) {
            throw new IllegalStateException(property + ": '" + value + "' is not an agency id (lower-case letters, digits and '-', "
                    + "2 to 40 characters, starting with a letter)" + (value.endsWith("*") ? "; prefix patterns are for tests only" : ""));
        }
        return value;
    }

    /** The agency this deployment acts as: its service tokens name it. */
    public String own() {
        return own;
    }

    /** Whether this deployment holds the data of {@code agency} (its users keep all their roles). */
    public boolean serves(String agency) {
        return agency != null && matches(served, agency);
    }

    /** Whether {@code agency}'s users may read here as partners. */
    public boolean isPartner(String agency) {
        return agency != null && !serves(agency) && matches(partners, agency);
    }

    private static boolean matches(List<String> entries, String agency) {
        for (String e : entries) {
            if (e.endsWith("*") ? agency.startsWith(e.substring(0, e.length() - 1)) : e.equals(agency)) {
                return true;
            }
        }
        return false;
    }
}
