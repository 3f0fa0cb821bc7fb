using System.Diagnostics;

namespace Herald.Client;

/// <summary>One event of a mixed batch: the event, its options, and the span its send span belongs under (default: the current one).</summary>
internal readonly record struct PublishRequest(object Event, PublishOptions Options, ActivityContext Parent = default);
