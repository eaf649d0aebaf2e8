package io.warpstats.bench.faults;

/**
 * One client operation as the history records it.
 *
 * @param id          unique, in the order operations were started
 * @param client      the client thread
 * @param node        the node the request was sent to
 * @param incarnation the harness's count of wipes of that node when the request was sent
 * @param kind        what was asked
 * @param post        the post id
 * @param user        the user id ({@code null} for a reply delete)
 * @param reply       the reply id (replies and reply deletes only)
 * @param outcome     acknowledged, failed or indeterminate
 * @param status      the HTTP status, 0 without an answer
 * @param problem     the problem name of an error answer or the exception's class, else {@code null}
 * @param startMs     when the request was sent, ms since the run started
 * @param endMs       when the outcome was known, ms since the run started
 */
public record Op(long id, int client, int node, int incarnation, Kind kind, String post, String user, String reply,
                 Outcome outcome, int status, String problem, long startMs, long endMs) {

    /** The operations of the API. */
    public enum Kind { LIKE, UNLIKE, RETWEET, UNRETWEET, REPLY, DELETE_REPLY, VIEW }

    /**
     * {@code OK}: a 2xx answer. {@code FAIL}: a definite refusal (a 4xx, 503 busy, no connection).
     * {@code INDETERMINATE}: no answer after the request may have been sent (timeout, reset) or a 5xx
     * after which the write may have happened.
     */
    public enum Outcome { OK, FAIL, INDETERMINATE }
}
