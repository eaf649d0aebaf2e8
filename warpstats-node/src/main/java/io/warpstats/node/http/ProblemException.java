package io.warpstats.node.http;

/** Thrown while handling a request to answer with a problem document. */
final class ProblemException extends RuntimeException {
    private final transient Response response;

    ProblemException(int status, String type, String title, String detail) {
        super(detail, null, false, false);
        this.response = Response.problem(status, type, title, detail);
    }

    ProblemException(Response response) {
        super(response.status() + "", null, false, false);
        this.response = response;
    }

    Response response() {
        return response;
    }

    static ProblemException badRequest(String type, String detail) {
        return new ProblemException(400, type, "Bad request", detail);
    }
}
