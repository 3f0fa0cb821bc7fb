using Herald.Broker;
using Herald.Kafka.Internal;
using Herald.Kafka.Messages;
using Herald.Kafka.Protocol;

namespace Herald.Kafka.Handlers;

/// <summary>The classic consumer-group protocol and group administration.</summary>
internal sealed class GroupHandlers(ClusterView cluster)
{
    public async ValueTask<IKafkaMessage?> JoinAsync(RequestContext context, JoinGroupRequest request, CancellationToken cancellationToken)
    {
        var sessionTimeout = TimeSpan.FromMilliseconds(request.SessionTimeoutMs);
        var join = new MemberJoinRequest(
            request.GroupId,
            request.MemberId,
            request.GroupInstanceId,
            request.ProtocolType,
            [.. request.Protocols.Select(p => new GroupProtocol(p.Name, p.Metadata))],
            sessionTimeout,
            context.ApiVersion == 0 ? sessionTimeout : TimeSpan.FromMilliseconds(request.RebalanceTimeoutMs),
            RequireKnownMemberId: context.ApiVersion >= 4,
            ClientId: context.ClientId ?? string.Empty,
            ClientHost: context.ClientHost);
        var result = await cluster.Broker.JoinGroupAsync(join, cancellationToken).ConfigureAwait(false);
        return new JoinGroupResponse
        {
            ErrorCode = (short)result.Error,
            GenerationId = result.GenerationId,
            ProtocolType = request.ProtocolType,
            ProtocolName = result.ProtocolName,
            Leader = result.LeaderId,
            MemberId = result.MemberId,
            Members = [.. result.Members.Select(m => new JoinGroupResponse.JoinGroupResponseMember { MemberId = m.MemberId, GroupInstanceId = m.GroupInstanceId, Metadata = m.Metadata })],
        };
    }

    public async ValueTask<IKafkaMessage?> SyncAsync(RequestContext context, SyncGroupRequest request, CancellationToken cancellationToken)
    {
        var result = await cluster.Broker.SyncGroupAsync(
            request.GroupId,
            request.GenerationId,
            request.MemberId,
            request.GroupInstanceId,
            [.. request.Assignments.Select(a => (a.MemberId, a.Assignment))],
            cancellationToken).ConfigureAwait(false);
        return new SyncGroupResponse
        {
            ErrorCode = (short)result.Error,
            ProtocolType = request.ProtocolType,
            ProtocolName = request.ProtocolName,
            Assignment = result.Assignment,
        };
    }

    public HeartbeatResponse Heartbeat(RequestContext context, HeartbeatRequest request) => new()
    {
        ErrorCode = (short)cluster.Broker.Heartbeat(request.GroupId, request.GenerationId, request.MemberId, request.GroupInstanceId),
    };

    public LeaveGroupResponse Leave(RequestContext context, LeaveGroupRequest request)
    {
        if (context.ApiVersion < 3)
        {
            return new LeaveGroupResponse { ErrorCode = (short)cluster.Broker.LeaveGroup(request.GroupId, request.MemberId) };
        }

        // v3+ removes a batch of members, each with its own error.
        return new LeaveGroupResponse
        {
            Members = [.. request.Members.Select(m => new LeaveGroupResponse.MemberResponse
            {
                MemberId = m.MemberId,
                GroupInstanceId = m.GroupInstanceId,
                ErrorCode = (short)cluster.Broker.LeaveGroup(request.GroupId, m.MemberId, m.GroupInstanceId),
            })],
        };
    }

    public ListGroupsResponse List(RequestContext context, ListGroupsRequest request)
    {
        var groups = cluster.Broker.ListGroups()
            .Select(id => cluster.Broker.DescribeGroup(id))
            .OfType<GroupDescription>()
            .Where(g => request.StatesFilter.Count == 0 || request.StatesFilter.Contains(g.State, StringComparer.OrdinalIgnoreCase))
            .Where(g => request.TypesFilter.Count == 0 || request.TypesFilter.Contains("classic", StringComparer.OrdinalIgnoreCase));
        return new ListGroupsResponse
        {
            Groups = [.. groups.Select(g => new ListGroupsResponse.ListedGroup { GroupId = g.GroupId, ProtocolType = g.ProtocolType, GroupState = g.State, GroupType = "classic" })],
        };
    }

    public DescribeGroupsResponse Describe(RequestContext context, DescribeGroupsRequest request) => new()
    {
        Groups = [.. request.Groups.Select(id => cluster.Broker.DescribeGroup(id) is { } group
            ? new DescribeGroupsResponse.DescribedGroup
            {
                GroupId = id,
                GroupState = group.State,
                ProtocolType = group.ProtocolType,
                ProtocolData = group.Protocol,
                Members = [.. group.Members.Select(m => new DescribeGroupsResponse.DescribedGroupMember
                {
                    MemberId = m.MemberId,
                    GroupInstanceId = m.GroupInstanceId,
                    ClientId = m.ClientId,
                    ClientHost = m.ClientHost,
                    MemberMetadata = m.Metadata,
                    MemberAssignment = m.Assignment,
                })],
            }
            : new DescribeGroupsResponse.DescribedGroup { GroupId = id, GroupState = "Dead" })],
    };

    public DeleteGroupsResponse Delete(RequestContext context, DeleteGroupsRequest request) => new()
    {
        Results = [.. request.GroupsNames.Select(id => new DeleteGroupsResponse.DeletableGroupResult { GroupId = id, ErrorCode = (short)cluster.Broker.DeleteGroup(id).Error })],
    };
}
