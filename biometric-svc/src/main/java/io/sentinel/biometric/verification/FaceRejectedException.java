package io.sentinel.biometric.verification;

/** A photo that cannot be verified, with the precise reason shown to the caller. */
public final class FaceRejectedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public FaceRejectedException(String reason) {
        super(reason);
    }
}
