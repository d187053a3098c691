package io.sentinel.biometric.service;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.sentinel.biometric.verification.FaceModels;
import io.sentinel.biometric.verification.FaceRejectedException;
import io.sentinel.biometric.verification.FaceVerifier;
import io.sentinel.biometric.verification.RgbImage;

/**
 * The face models, when installed. Without them the service still runs: every check-in is
 * INCONCLUSIVE and goes to a reviewer, which is honest, and never treated as a failure.
 */
@ApplicationScoped
public class FaceVerification {
    private static final Logger LOG = Logger.getLogger(FaceVerification.class);

    private final FaceModels models;
    private final FaceVerifier verifier;

    public FaceVerification(@ConfigProperty(name = "sentinel.biometric.models-dir") String dir) {
        FaceModels loaded = null;
        if (Files.isDirectory(Path.of(dir))) {
            try {
                loaded = FaceModels.load(Path.of(dir));
            } catch (RuntimeException e) {
                LOG.warnf("face models in %s could not be loaded: %s", dir, e.getMessage());
            }
        }
        if (loaded == null) {
            LOG.warnf("no face models in %s (run scripts/fetch-face-models.sh): check-ins go to reviewers unverified", dir);
        }
        this.models = loaded;
        this.verifier = loaded == null ? null : new FaceVerifier(loaded);
    }

    public Optional<String> modelId() {
        return verifier == null ? Optional.empty() : Optional.of(verifier.modelId());
    }

    /** The template of the one face in an enrolment photo's upright pixels; a poor image is refused with its reason. */
    public FaceVerifier.Extraction enrol(RgbImage image) {
        return verifier.enrol(image);
    }

    public FaceVerifier.Result verify(RgbImage image, List<float[]> references) {
        return verifier.verify(image, references);
    }

    public boolean available() {
        return verifier != null;
    }

    static boolean isRejection(Throwable t) {
        return t instanceof FaceRejectedException;
    }

    @PreDestroy
    void close() {
        if (models != null) {
            models.close();
        }
    }
}
