// Package coordination finds troll-factory networks on the post stream: groups of
// accounts that post the same or near-same text, share the same links or forwarded
// sources, or reply to the same targets within a short sliding time window, again and
// again.
//
// It is not a per-post classifier (classifiers.Classifier): it is a streaming detector
// that keeps bounded state for one sliding window. The model is the one shared by
// CooRnet, CooRTweet and the QUT coordination-network-toolkit (see
// /work/shared/research/coordination-and-alerts.md):
//
//  1. Every post is mapped to objects: canonical links and forwarded sources (co_link),
//     reply targets (co_reply) and a text group (co_text). A text group is the exact
//     normalised text or, through MinHash-LSH verified by exact Jaccard, a near
//     duplicate of a text seen within the window, so reworded copies share an object.
//  2. Each object keeps a bucket of the recent actions on it. A new action is paired only
//     with the actions of other accounts still in the bucket and within the window
//     (sliding, not binned), so the work per post is bounded by the bucket size.
//  3. A pair adds one to the weight of the account–account edge, once per distinct
//     object. Edges of at least Params.MinWeight are strong; connected groups of strong
//     edges with at least Params.MinClusterSize accounts are clusters.
//  4. A hot object (more than Params.MaxObjectActors accounts inside one window, such as
//     a viral link) stops producing pairs: it would otherwise produce k(k-1)/2 pairs for
//     k accounts. The cap is recorded in every cluster that touched the object.
//
// Memory is bounded by the window: buckets and text indexes expire after Window plus
// Lateness of event time, edges and account signals after Horizon without activity.
//
// The coordinate role calls Run, which drives a Detector from the results stream
// (Observe per post, Flush on a ticker, write the returned clusters with Store, save the
// state to a JetStream object store) on the one replica holding the leader lease;
// `kuzot coordinate` runs the same detector over JSON lines (RunCLI). Config is the
// `coordination:` section of the configuration file.
package coordination
