package io.sentinel.rules.domain.curfew;

/** A curfew definition that cannot be accepted; the message starts with the path of the offending field. */
public final class InvalidCurfewException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String path;
    private final String problem;

    public InvalidCurfewException(String path, String problem) {
        super(path + ": " + problem);
        this.path = path;
        this.problem = problem;
    }

    /** Path of the offending element, e.g. {@code windows[1].start}. */
    public String path() {
        return path;
    }

    /** What is wrong with it, without the path. */
    public String problem() {
        return problem;
    }
}
