using System.Text.Json;
using Herald.Broker;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Herald.Server.Api;

/// <summary>Turns every failure of a request into a problem detail (RFC 9457), carrying Kafka's error code where there is one.</summary>
internal sealed class ApiExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title, detail, kafkaError) = exception switch
        {
            ApiException api => (api.Status, api.Title, api.Message, api.KafkaError),
            BadHttpRequestException bad => (bad.StatusCode, bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? "Too large" : "Bad request", bad.Message, (ErrorCode?)null),
            JsonException json => (StatusCodes.Status400BadRequest, "Bad request", $"The body is not valid JSON: {json.Message}", null),
            NotReadyException notReady => (StatusCodes.Status503ServiceUnavailable, "Unavailable", notReady.Message, null),
            OperationCanceledException when httpContext.RequestAborted.IsCancellationRequested => (499, "Client closed request", "The client went away.", null),
            _ => (StatusCodes.Status500InternalServerError, "Server error", "The server failed to handle the request; its log says why.", null),
        };

        if (httpContext.Response.HasStarted)
        {
            return false;
        }

        httpContext.Response.StatusCode = status;
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail };
        if (kafkaError is { } error)
        {
            problem.Extensions["kafkaError"] = error.ToString();
            problem.Extensions["kafkaErrorCode"] = (short)error;
        }

        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception }).ConfigureAwait(false);
    }
}
