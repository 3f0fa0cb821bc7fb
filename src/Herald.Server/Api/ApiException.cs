using Herald.Broker;
using Microsoft.AspNetCore.Http;

namespace Herald.Server.Api;

/// <summary>
/// A request the API refuses, answered as an RFC 9457 problem: the HTTP status, a short title, what went wrong, and
/// Kafka's error code where the broker gave one.
/// </summary>
internal sealed class ApiException(int status, string title, string detail, ErrorCode? kafkaError = null) : Exception(detail)
{
    public int Status { get; } = status;

    public string Title { get; } = title;

    public ErrorCode? KafkaError { get; } = kafkaError;

    public static ApiException BadRequest(string detail) => new(StatusCodes.Status400BadRequest, "Bad request", detail);

    public static ApiException NotFound(string detail, ErrorCode? kafkaError = null) => new(StatusCodes.Status404NotFound, "Not found", detail, kafkaError);

    public static ApiException UnknownTopic(string topic) => NotFound($"Topic '{topic}' does not exist.", ErrorCode.UnknownTopicOrPartition);

    public static ApiException UnknownPartition(string topic, int partition, int count) =>
        From(ErrorCode.UnknownTopicOrPartition, $"Partition {partition} of '{topic}' does not exist; it has {count}.");

    /// <summary>Throws the broker's refusal of an admin request, when it refused.</summary>
    public static void ThrowIfFailed(AdminResult result)
    {
        if (!result.Succeeded)
        {
            throw From(result.Error, result.Message);
        }
    }

    /// <summary>The broker's refusal, with the status that fits its error code.</summary>
    public static ApiException From(ErrorCode error, string? message)
    {
        var (status, title) = error switch
        {
            ErrorCode.UnknownTopicOrPartition or ErrorCode.UnknownTopicId or ErrorCode.GroupIdNotFound => (StatusCodes.Status404NotFound, "Not found"),
            ErrorCode.TopicAlreadyExists or ErrorCode.NonEmptyGroup or ErrorCode.RebalanceInProgress or ErrorCode.GroupSubscribedToTopic
                or ErrorCode.UnknownMemberId or ErrorCode.IllegalGeneration => (StatusCodes.Status409Conflict, "Conflict"),
            ErrorCode.MessageTooLarge => (StatusCodes.Status413PayloadTooLarge, "Too large"),
            ErrorCode.KafkaStorageError or ErrorCode.NotEnoughReplicas or ErrorCode.CoordinatorNotAvailable => (StatusCodes.Status503ServiceUnavailable, "Unavailable"),
            ErrorCode.UnknownServerError => (StatusCodes.Status500InternalServerError, "Server error"),
            _ => (StatusCodes.Status400BadRequest, "Bad request"),
        };
        return new ApiException(status, title, message ?? $"The broker refused the request: {error}.", error);
    }
}
