namespace Herald.Broker.Internal;

/// <summary>
/// One consumer group's membership, with the classic protocol's rules: join, the member-id round trip, rebalances that
/// wait for every member to rejoin (or for the rebalance timeout), the leader's assignment handed to all, heartbeats,
/// session timeouts, leaving, and static members that come back without a rebalance. Thread-safe: one lock per group;
/// callers await outside it.
/// </summary>
internal sealed class ConsumerGroup(string id, TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Member> _members = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _staticMembers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ITimer> _pendingMembers = new(StringComparer.Ordinal);
    private ITimer? _rebalanceTimer;
    private long _rebalanceRound;

    public string Id { get; } = id;

    public GroupState State { get; private set; } = GroupState.Empty;

    public int Generation { get; private set; }

    public string? ProtocolType { get; private set; }

    public string? Protocol { get; private set; }

    public string? LeaderId { get; private set; }

    public bool IsEmpty
    {
        get
        {
            lock (_gate)
            {
                return _members.Count == 0;
            }
        }
    }

    public Task<JoinGroupResult> JoinAsync(MemberJoinRequest request)
    {
        lock (_gate)
        {
            // A member given its id by MemberIdRequired is no longer expected once it comes back, whatever the outcome.
            var wasPending = false;
            if (request.MemberId.Length > 0 && _pendingMembers.Remove(request.MemberId, out var expiry))
            {
                expiry.Dispose();
                wasPending = true;
            }

            if (_members.Count > 0 && (request.ProtocolType != ProtocolType || !SharesProtocolWithAll(request.Protocols)))
            {
                CompleteJoinIfEveryoneIsBackLocked();
                return Task.FromResult(JoinGroupResult.Failed(ErrorCode.InconsistentGroupProtocol, request.MemberId));
            }

            Member member;
            if (request.MemberId.Length == 0)
            {
                if (request.GroupInstanceId is { } instance && _staticMembers.TryGetValue(instance, out var previousId) && _members.TryGetValue(previousId, out var previous))
                {
                    return RejoinStatic(previous, request);
                }

                var newId = $"{(request.ClientId.Length > 0 ? request.ClientId : "member")}-{Guid.NewGuid():N}";
                if (request.GroupInstanceId is null && request.RequireKnownMemberId)
                {
                    _pendingMembers[newId] = time.CreateTimer(static state => ((PendingExpiry)state!).Expire(), new PendingExpiry(this, newId), request.SessionTimeout, Timeout.InfiniteTimeSpan);
                    return Task.FromResult(JoinGroupResult.Failed(ErrorCode.MemberIdRequired, newId));
                }

                member = AddMember(newId, request);
            }
            else if (_members.TryGetValue(request.MemberId, out var known))
            {
                if (request.GroupInstanceId is { } instance && _staticMembers.GetValueOrDefault(instance) != known.Id)
                {
                    return Task.FromResult(JoinGroupResult.Failed(ErrorCode.FencedInstanceId, request.MemberId));
                }

                if (State == GroupState.Stable && known.Id != LeaderId && known.SameProtocols(request.Protocols))
                {
                    // As Kafka: a follower rejoining with nothing changed gets the current generation, not a rebalance.
                    known.RestartSession(time, this);
                    return Task.FromResult(new JoinGroupResult(ErrorCode.None, Generation, Protocol, LeaderId!, known.Id, []));
                }

                member = known;
                member.Update(request);
                member.RestartSession(time, this);
            }
            else if (wasPending)
            {
                member = AddMember(request.MemberId, request);
            }
            else
            {
                var fenced = request.GroupInstanceId is { } instance && _staticMembers.ContainsKey(instance);
                return Task.FromResult(JoinGroupResult.Failed(fenced ? ErrorCode.FencedInstanceId : ErrorCode.UnknownMemberId, request.MemberId));
            }

            member.PendingJoin ??= new TaskCompletionSource<JoinGroupResult>(TaskCreationOptions.RunContinuationsAsynchronously);
            var joined = member.PendingJoin.Task;
            if (State != GroupState.PreparingRebalance)
            {
                PrepareRebalanceLocked();
            }

            CompleteJoinIfEveryoneIsBackLocked();
            return joined;
        }
    }

    public Task<SyncGroupResult> SyncAsync(int generation, string memberId, string? instanceId, IReadOnlyList<(string MemberId, byte[] Assignment)> assignments)
    {
        lock (_gate)
        {
            if (CheckMember(memberId, instanceId, generation) is { } error and not ErrorCode.None)
            {
                return Task.FromResult(new SyncGroupResult(error, []));
            }

            var member = _members[memberId];
            switch (State)
            {
                case GroupState.PreparingRebalance:
                    return Task.FromResult(new SyncGroupResult(ErrorCode.RebalanceInProgress, []));
                case GroupState.Stable:
                    return Task.FromResult(new SyncGroupResult(ErrorCode.None, member.Assignment));
            }

            member.PendingSync ??= new TaskCompletionSource<SyncGroupResult>(TaskCreationOptions.RunContinuationsAsynchronously);
            var synced = member.PendingSync.Task;
            if (memberId == LeaderId)
            {
                var given = new Dictionary<string, byte[]>(StringComparer.Ordinal);
                foreach (var (target, assignment) in assignments)
                {
                    given[target] = assignment;
                }

                foreach (var each in _members.Values)
                {
                    each.Assignment = given.GetValueOrDefault(each.Id, []);
                    each.PendingSync?.TrySetResult(new SyncGroupResult(ErrorCode.None, each.Assignment));
                    each.PendingSync = null;
                }

                State = GroupState.Stable;
            }

            return synced;
        }
    }

    public ErrorCode Heartbeat(int generation, string memberId, string? instanceId)
    {
        lock (_gate)
        {
            var error = CheckMember(memberId, instanceId, generation);
            if (error != ErrorCode.None)
            {
                return error;
            }

            _members[memberId].RestartSession(time, this);
            return State == GroupState.PreparingRebalance ? ErrorCode.RebalanceInProgress : ErrorCode.None;
        }
    }

    public ErrorCode Leave(string memberId, string? instanceId)
    {
        lock (_gate)
        {
            if (memberId.Length == 0 && instanceId is not null)
            {
                memberId = _staticMembers.GetValueOrDefault(instanceId, string.Empty);
            }

            if (!_members.TryGetValue(memberId, out var member))
            {
                return ErrorCode.UnknownMemberId;
            }

            if (instanceId is not null && _staticMembers.GetValueOrDefault(instanceId) != memberId)
            {
                return ErrorCode.FencedInstanceId;
            }

            RemoveLocked(member);
            return ErrorCode.None;
        }
    }

    /// <summary>
    /// Whether a commit from this member and generation may change the group's offsets, in Kafka's order of checks:
    /// an empty group takes commits without a generation; while assignments are being handed out nobody commits; otherwise
    /// only a current member of the current generation does (during a join the old generation is still current).
    /// </summary>
    public ErrorCode CheckCommit(int generation, string memberId, string? instanceId)
    {
        lock (_gate)
        {
            if (_members.Count == 0)
            {
                return generation < 0 ? ErrorCode.None : ErrorCode.UnknownMemberId;
            }

            return State == GroupState.CompletingRebalance ? ErrorCode.RebalanceInProgress : CheckMember(memberId, instanceId, generation);
        }
    }

    public IReadOnlyList<GroupMemberDescription> Describe()
    {
        lock (_gate)
        {
            return [.. _members.Values.Select(m => new GroupMemberDescription(m.Id, m.InstanceId, m.ClientId, m.ClientHost, m.MetadataFor(Protocol), m.Assignment))];
        }
    }

    /// <summary>The topics any member subscribes to, read from consumer-protocol metadata.</summary>
    public IReadOnlySet<string> SubscribedTopics()
    {
        lock (_gate)
        {
            if (ProtocolType != "consumer")
            {
                return new HashSet<string>();
            }

            return _members.Values
                .SelectMany(m => ConsumerProtocol.ReadSubscription(m.MetadataFor(Protocol)) ?? [])
                .ToHashSet(StringComparer.Ordinal);
        }
    }

    /// <summary>Stops every timer and answers everyone still waiting: the broker is closing.</summary>
    public void Shutdown()
    {
        lock (_gate)
        {
            _rebalanceTimer?.Dispose();
            foreach (var pending in _pendingMembers.Values)
            {
                pending.Dispose();
            }

            foreach (var member in _members.Values)
            {
                member.StopSession();
                member.PendingJoin?.TrySetResult(JoinGroupResult.Failed(ErrorCode.CoordinatorNotAvailable, member.Id));
                member.PendingSync?.TrySetResult(new SyncGroupResult(ErrorCode.CoordinatorNotAvailable, []));
            }
        }
    }

    private void PendingMemberExpired(string memberId)
    {
        lock (_gate)
        {
            if (_pendingMembers.Remove(memberId, out var timer))
            {
                timer.Dispose();
                CompleteJoinIfEveryoneIsBackLocked();
            }
        }
    }

    private sealed record PendingExpiry(ConsumerGroup Group, string MemberId)
    {
        public void Expire() => Group.PendingMemberExpired(MemberId);
    }

    private sealed record RebalanceDeadline(ConsumerGroup Group, long Round)
    {
        public void Expire() => Group.RebalanceTimedOut(Round);
    }

    internal void SessionExpired(Member member, long version)
    {
        lock (_gate)
        {
            if (!_members.TryGetValue(member.Id, out var current) || !ReferenceEquals(current, member) || version != member.SessionVersion)
            {
                return;
            }

            // A member waiting in a join or sync is alive by definition; only a silent one is removed.
            if (member.PendingJoin is not null || member.PendingSync is not null)
            {
                member.RestartSession(time, this);
                return;
            }

            RemoveLocked(member);
        }
    }

    private Task<JoinGroupResult> RejoinStatic(Member previous, MemberJoinRequest request)
    {
        // A static member that restarts takes its old place under a new id: the old id is fenced, and when nothing
        // else changed the group keeps its assignment and does not rebalance.
        var newId = $"{request.GroupInstanceId}-{Guid.NewGuid():N}";
        _members.Remove(previous.Id);
        previous.StopSession();
        var sameProtocols = previous.SameProtocols(request.Protocols);
        var member = AddMember(newId, request);
        member.Assignment = previous.Assignment;
        if (LeaderId == previous.Id)
        {
            LeaderId = newId;
        }

        previous.PendingJoin?.TrySetResult(JoinGroupResult.Failed(ErrorCode.FencedInstanceId, previous.Id));
        previous.PendingSync?.TrySetResult(new SyncGroupResult(ErrorCode.FencedInstanceId, []));
        if (State == GroupState.Stable && sameProtocols)
        {
            return Task.FromResult(new JoinGroupResult(ErrorCode.None, Generation, Protocol, LeaderId!, newId, newId == LeaderId ? MembersLocked() : []));
        }

        member.PendingJoin = new TaskCompletionSource<JoinGroupResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var joined = member.PendingJoin.Task; // completing the join below clears PendingJoin
        if (State != GroupState.PreparingRebalance)
        {
            PrepareRebalanceLocked();
        }

        CompleteJoinIfEveryoneIsBackLocked();
        return joined;
    }

    private Member AddMember(string memberId, MemberJoinRequest request)
    {
        var member = new Member(memberId, request);
        _members[memberId] = member;
        if (request.GroupInstanceId is { } instance)
        {
            _staticMembers[instance] = memberId;
        }

        ProtocolType ??= request.ProtocolType;
        member.RestartSession(time, this);
        return member;
    }

    private void RemoveLocked(Member member)
    {
        _members.Remove(member.Id);
        member.StopSession();
        if (member.InstanceId is { } instance && _staticMembers.GetValueOrDefault(instance) == member.Id)
        {
            _staticMembers.Remove(instance);
        }

        member.PendingJoin?.TrySetResult(JoinGroupResult.Failed(ErrorCode.UnknownMemberId, member.Id));
        member.PendingSync?.TrySetResult(new SyncGroupResult(ErrorCode.UnknownMemberId, []));
        if (_members.Count == 0)
        {
            ResetToEmptyLocked();
            return;
        }

        if (State == GroupState.PreparingRebalance)
        {
            CompleteJoinIfEveryoneIsBackLocked();
        }
        else
        {
            PrepareRebalanceLocked();
        }
    }

    private void PrepareRebalanceLocked()
    {
        foreach (var member in _members.Values)
        {
            member.PendingSync?.TrySetResult(new SyncGroupResult(ErrorCode.RebalanceInProgress, []));
            member.PendingSync = null;
        }

        State = GroupState.PreparingRebalance;
        var timeout = _members.Values.Max(m => m.RebalanceTimeout);
        _rebalanceTimer?.Dispose();
        var round = ++_rebalanceRound;
        _rebalanceTimer = time.CreateTimer(static state => ((RebalanceDeadline)state!).Expire(), new RebalanceDeadline(this, round), timeout, Timeout.InfiniteTimeSpan);
    }

    private void RebalanceTimedOut(long round)
    {
        lock (_gate)
        {
            // A disposed timer may still fire once; only the current round's deadline counts.
            if (State != GroupState.PreparingRebalance || round != _rebalanceRound)
            {
                return;
            }

            foreach (var pending in _pendingMembers.Values)
            {
                pending.Dispose();
            }

            _pendingMembers.Clear();

            // Members that did not rejoin in time are out; the rest go ahead.
            foreach (var laggard in _members.Values.Where(m => m.PendingJoin is null).ToList())
            {
                _members.Remove(laggard.Id);
                laggard.StopSession();
                if (laggard.InstanceId is { } instance)
                {
                    _staticMembers.Remove(instance);
                }
            }

            if (_members.Count == 0)
            {
                ResetToEmptyLocked();
                return;
            }

            CompleteJoinLocked();
        }
    }

    private void CompleteJoinIfEveryoneIsBackLocked()
    {
        // Members that were just given their id are expected too, so a group of consumers starting together settles in
        // one rebalance rather than one per member.
        if (State == GroupState.PreparingRebalance && _pendingMembers.Count == 0 && _members.Values.All(m => m.PendingJoin is not null))
        {
            CompleteJoinLocked();
        }
    }

    private void CompleteJoinLocked()
    {
        _rebalanceTimer?.Dispose();
        _rebalanceTimer = null;
        Generation++;
        Protocol = ChooseProtocol();
        if (LeaderId is null || !_members.ContainsKey(LeaderId))
        {
            LeaderId = _members.Keys.First();
        }

        State = GroupState.CompletingRebalance;
        var members = MembersLocked();
        foreach (var member in _members.Values)
        {
            member.RestartSession(time, this);
            var result = new JoinGroupResult(ErrorCode.None, Generation, Protocol, LeaderId, member.Id, member.Id == LeaderId ? members : []);
            member.PendingJoin!.TrySetResult(result);
            member.PendingJoin = null;
        }
    }

    private void ResetToEmptyLocked()
    {
        _rebalanceTimer?.Dispose();
        _rebalanceTimer = null;
        State = GroupState.Empty;
        Generation++;
        Protocol = null;
        ProtocolType = null;
        LeaderId = null;
    }

    private List<JoinedMember> MembersLocked() =>
        [.. _members.Values.Select(m => new JoinedMember(m.Id, m.InstanceId, m.MetadataFor(Protocol)))];

    // Each member votes for its most preferred protocol that every member supports; the most votes win.
    private string ChooseProtocol()
    {
        var candidates = _members.Values.First().ProtocolNames.Where(name => _members.Values.All(m => m.Supports(name))).ToHashSet(StringComparer.Ordinal);
        return _members.Values
            .Select(m => m.ProtocolNames.First(candidates.Contains))
            .GroupBy(name => name, StringComparer.Ordinal)
            .OrderByDescending(votes => votes.Count())
            .First().Key;
    }

    private bool SharesProtocolWithAll(IReadOnlyList<GroupProtocol> protocols) =>
        protocols.Any(p => _members.Values.All(m => m.Supports(p.Name)));

    private ErrorCode CheckMember(string memberId, string? instanceId, int generation)
    {
        if (!_members.ContainsKey(memberId))
        {
            return instanceId is not null && _staticMembers.ContainsKey(instanceId) ? ErrorCode.FencedInstanceId : ErrorCode.UnknownMemberId;
        }

        if (instanceId is not null && _staticMembers.GetValueOrDefault(instanceId) != memberId)
        {
            return ErrorCode.FencedInstanceId;
        }

        return generation == Generation ? ErrorCode.None : ErrorCode.IllegalGeneration;
    }

    internal sealed class Member(string id, MemberJoinRequest request)
    {
        private MemberJoinRequest _request = request;
        private ITimer? _session;

        public string Id { get; } = id;

        public string? InstanceId => _request.GroupInstanceId;

        public string ClientId => _request.ClientId;

        public string ClientHost => _request.ClientHost;

        public TimeSpan RebalanceTimeout => _request.RebalanceTimeout;

        public IEnumerable<string> ProtocolNames => _request.Protocols.Select(p => p.Name);

        public byte[] Assignment { get; set; } = [];

        public TaskCompletionSource<JoinGroupResult>? PendingJoin { get; set; }

        public TaskCompletionSource<SyncGroupResult>? PendingSync { get; set; }

        public void Update(MemberJoinRequest request) => _request = request;

        public bool Supports(string protocol) => _request.Protocols.Any(p => p.Name == protocol);

        public bool SameProtocols(IReadOnlyList<GroupProtocol> protocols) =>
            protocols.Count == _request.Protocols.Count
            && protocols.Zip(_request.Protocols).All(pair => pair.First.Name == pair.Second.Name && pair.First.Metadata.AsSpan().SequenceEqual(pair.Second.Metadata));

        public byte[] MetadataFor(string? protocol) => _request.Protocols.FirstOrDefault(p => p.Name == protocol)?.Metadata ?? [];

        /// <summary>Counts session restarts, so a timer that fired just before a heartbeat cannot remove the member after it.</summary>
        public long SessionVersion { get; private set; }

        public void RestartSession(TimeProvider time, ConsumerGroup group)
        {
            _session?.Dispose();
            _session = time.CreateTimer(static state => ((Session)state!).Expire(), new Session(group, this, ++SessionVersion), _request.SessionTimeout, Timeout.InfiniteTimeSpan);
        }

        public void StopSession()
        {
            _session?.Dispose();
            _session = null;
            SessionVersion++;
        }

        private sealed record Session(ConsumerGroup Group, Member Member, long Version)
        {
            public void Expire() => Group.SessionExpired(Member, Version);
        }
    }
}
