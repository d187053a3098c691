package io.sentinel.common.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.smallrye.jwt.build.Jwt;

/**
 * Signed checkpoints of the audit chain, written outside the database: after each sealing run,
 * one line per agency whose chain grew, a JWS (RS256, this service's own signing key) over
 * {@code {agency, seq, mac, at}}, appended and synced to {@code <checkpoint-dir>/<service>.checkpoints}
 * and also logged on the {@code sentinel.audit.checkpoint} category. Locally the directory is the
 * sink; in production it is a volume shipped to object storage with a retention lock, or the log
 * stream is (see the README). A checkpoint holds no personal data: a sequence number and a MAC.
 * Verification trusts only lines whose signature checks against this service's public key.
 */
@ApplicationScoped
public class CheckpointSink {
    private static final Logger LOG = Logger.getLogger("sentinel.audit.checkpoint");
    private final Path file;
    private final String service;
    private final Path publicKey;
    private final ObjectMapper json = new ObjectMapper();

    public CheckpointSink(@ConfigProperty(name = "sentinel.audit.checkpoint-dir") String dir,
            @ConfigProperty(name = "quarkus.application.name") String service,
            @ConfigProperty(name = "sentinel.service-token.peer-keys") String peerKeys) {
        this.file = Path.of(dir).resolve(service + ".checkpoints");
        this.service = service;
        this.publicKey = Path.of(peerKeys).resolve(service + ".pem");
    }

    /** Appends one signed checkpoint per agency head; blocking file I/O, so call it off the event loop. */
    public void append(List<ChainHead> heads) {
        if (heads.isEmpty()) {
            return;
        }
        StringBuilder lines = new StringBuilder();
        String at = Instant.now().toString();
        for (ChainHead h : heads) {
            String jws = Jwt.claims(Map.of("svc", service, "agency", h.agencyId(), "seq", h.seq(), "mac", h.mac(), "at", at))
                    .jws().keyId(service).sign();
            lines.append(jws).append('\n');
            LOG.infof("audit checkpoint agency=%s seq=%d mac=%s", h.agencyId(), h.seq(), h.mac());
        }
        try {
            Files.createDirectories(file.getParent());
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE)) {
                ByteBuffer b = ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.US_ASCII));
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to the audit checkpoint file " + file, e);
        }
    }

    /** The head of one agency's chain after a sealing run that sealed {@code sealed} records. */
    public record ChainHead(String agencyId, long seq, String mac, long sealed) {
    }

    /**
     * The newest checkpoint with a valid signature for {@code agencyId}, or null when none was written.
     * The file grows by a line per sealing run, so it is streamed, never held whole, and signatures
     * are checked only for the highest sequence numbers seen (normally one): a line whose signature
     * fails is skipped, and should forged lines crowd out every candidate the whole file is checked.
     */
    public ChainCheck.Checkpoint newest(String agencyId) {
        if (!Files.exists(file)) {
            return null;
        }
        try {
            PublicKey key = readPublicKey(publicKey);
            java.util.TreeMap<Long, String> highest = new java.util.TreeMap<>();
            boolean overflowed = scan(agencyId, highest, CANDIDATES);
            for (Map.Entry<Long, String> e : highest.descendingMap().entrySet()) {
                ChainCheck.Checkpoint c = checkpoint(e.getValue(), key, agencyId);
                if (c != null) {
                    return c;
                }
            }
            if (!overflowed) {
                return null;
            }
            java.util.TreeMap<Long, String> all = new java.util.TreeMap<>();
            scan(agencyId, all, Integer.MAX_VALUE);
            for (Map.Entry<Long, String> e : all.descendingMap().entrySet()) {
                ChainCheck.Checkpoint c = checkpoint(e.getValue(), key, agencyId);
                if (c != null) {
                    return c;
                }
            }
            return null;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot read the audit checkpoints " + file + " or the key " + publicKey, e);
        }
    }

    private static final int CANDIDATES = 32;

    /** Keeps the {@code limit} lines of {@code agencyId} with the highest seq, unverified; true if it dropped any. */
    private boolean scan(String agencyId, java.util.TreeMap<Long, String> keep, int limit) throws IOException {
        boolean dropped = false;
        try (java.io.BufferedReader in = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                JsonNode claims = unverifiedClaims(line.strip());
                if (claims == null || !agencyId.equals(claims.path("agency").asText())) {
                    continue;
                }
                keep.put(claims.path("seq").asLong(), line.strip());
                if (keep.size() > limit) {
                    keep.pollFirstEntry();
                    dropped = true;
                }
            }
        }
        return dropped;
    }

    private JsonNode unverifiedClaims(String jws) {
        String[] parts = jws.split("\\.");
        if (parts.length != 3) {
            return null;
        }
        try {
            return json.readTree(Base64.getUrlDecoder().decode(parts[1]));
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }

    private ChainCheck.Checkpoint checkpoint(String line, PublicKey key, String agencyId) {
        JsonNode claims = verified(line, key);
        if (claims == null || !agencyId.equals(claims.path("agency").asText()) || !service.equals(claims.path("svc").asText())) {
            return null;
        }
        return new ChainCheck.Checkpoint(claims.path("seq").asLong(), claims.path("mac").asText(), claims.path("at").asText());
    }

    private JsonNode verified(String jws, PublicKey key) {
        String[] parts = jws.split("\\.");
        if (parts.length != 3) {
            return null;
        }
        try {
            JsonNode header = json.readTree(Base64.getUrlDecoder().decode(parts[0]));
            if (!"RS256".equals(header.path("alg").asText())) {
                return null;
            }
            Signature sig = Signature.getInstance("SHA256withRSA");
            sig.initVerify(key);
            sig.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            if (!sig.verify(Base64.getUrlDecoder().decode(parts[2]))) {
                LOG.warnf("an audit checkpoint line in %s has a bad signature; it is ignored", file);
                return null;
            }
            return json.readTree(Base64.getUrlDecoder().decode(parts[1]));
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            return null;
        }
    }

    static PublicKey readPublicKey(Path pem) throws IOException, GeneralSecurityException {
        String body = Files.readString(pem).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(body)));
    }
}
