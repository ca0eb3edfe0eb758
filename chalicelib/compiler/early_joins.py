"""Early joins: `join: N` and `join: one` tasks that fire on their N-th arrival.

Mistral runs such a join as soon as N of its inbound tasks have transitioned into it, while
other inbound branches may still run. Parallel branches of a state machine cannot see each
other, so the arrivals meet in one DynamoDB item per (execution, join, entry into the region
that owns the join), written only by atomic UpdateItem calls:

- the region becomes a Parallel of its own Parallel (the *counted* branch) and one *waiter*
  branch per early join, which holds the join task's thread (built once);
- an arrival adds its task's name to the string set ``froms`` and its doc to ``docs`` (a
  repeated arrival of the same task is refused by a condition and ends quietly); the arrival
  that makes the set reach N sends the waiter's task token, if it is already stored;
- the waiter stores its task token with `.waitForTaskToken`, on condition that fewer than N
  tasks arrived and the region is not over; when the condition fails (it came late) or the
  token is sent, it reads the item: with N arrivals it runs the join task on the merged
  contexts, otherwise its branch ends;
- when the counted branch ends, it marks the item ``released`` and, if fewer than N arrived
  and the waiter waits, sends the token so that the waiter ends.

Updates of one item are serialised, so exactly one of these orders happens and the waiter
never waits forever. After the region, the join check only asks whether the join fired (the
key of its item for this region entry is in the doc's `fired` list) and otherwise takes the
join's error path, as for any join whose arrivals did not suffice.

The threads of joins checked after the region (in the stages of its joins) may arrive at an
early join too: the counted branch of such a join also checks the stages before the join's
own (`Regions._join_layers`), so that every arrival comes before the release. Early joins
of later stages thus wrap those of earlier ones: each layer is a Parallel of a counted
branch (holding the layer before it) and its waiters.

The doc carries ``joins`` (join name → the key of its item for the current entry into its
region, drawn when the region starts, and the items' expiry) and ``fired`` (the keys of the
joins that fired). Mixed into `Lowering`.
"""
from __future__ import annotations

from . import data
from .scopes import CLEAN, ScopeStates, _ordered

UPDATE = "arn:aws:states:::aws-sdk:dynamodb:updateItem"
KEEP_SECONDS = 30 * 24 * 3600  # items expire (DynamoDB TTL) a month after the last write
CONDITION_FAILED = "DynamoDb.ConditionalCheckFailedException"
RETRY = [{"ErrorEquals": ["DynamoDb.ProvisionedThroughputExceededException",
                          "DynamoDb.RequestLimitExceeded", "DynamoDb.ThrottlingException",
                          "DynamoDb.InternalServerErrorException"],
          "IntervalSeconds": 1, "MaxAttempts": 5, "BackoffRate": 2.0}]
NAMES = {"#froms": "froms", "#docs": "docs", "#exp": "expires", "#token": "token",
         "#released": "released"}


def _entry(join: str) -> str:
    return data.field("$states.input.joins", join)


def item_key(join: str) -> str:
    """The key of the join's item for the current entry into its region (unique)."""
    return f"{_entry(join)}.key"


def with_join_items(arguments: str | None, joins: list[str]) -> str:
    """The Arguments of a region that owns early joins: its doc with, for each, the key of
    a fresh item and the expiry time its writes set."""
    doc = arguments if arguments is not None else "$states.input"
    fresh = ", ".join(
        f'{data.lit(j)}: {{"key": $states.context.Execution.Id & {data.lit("/" + j + "/")} '
        f'& $uuid(), "exp": $sw_exp}}' for j in joins)
    return (f"($sw_a := {doc}; $sw_exp := $string($floor($toMillis($now()) / 1000) + "
            f'{KEEP_SECONDS}); $merge([$sw_a, {{"joins": $merge([$sw_a.joins, {{{fresh}}}])}}]))')


def fired(join: str) -> str:
    """True in a doc where the join fired during the current entry into its region."""
    return f"{item_key(join)} in $states.input.fired"


def _wake(token_if: str) -> str:
    """The doc, with ``__wake`` set to the stored token when `token_if` holds."""
    return ("($sw_item := $states.result.Attributes; $merge([$states.input, {\"__wake\": "
            f"({token_if}) and $exists($sw_item.token.S) ? $sw_item.token.S : null}}]))")


class EarlyJoins:
    def _join_item(self, join: str, values: dict, **fields: str) -> dict:
        """Arguments of a request on the join's item for this region entry (JSON with an
        expression where a value depends on the doc)."""
        text = " ".join(fields.values())
        arguments = {"TableName": self.target.joins_table,
                     "Key": {"pk": {"S": data.expr(item_key(join))}}, **fields}
        # DynamoDB refuses names that the expressions do not use
        names = {k: v for k, v in NAMES.items() if k in text}
        if names:
            arguments["ExpressionAttributeNames"] = names
        if values:
            arguments["ExpressionAttributeValues"] = values
        return arguments

    def _send_token(self, scope: ScopeStates, join: str, role: str, nxt: str) -> str:
        """Choice: when the doc holds ``__wake``, send that task token; then go to `nxt`."""
        send = self.namer.new(join, role)
        scope.states[send] = {
            "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sfn:sendTaskSuccess",
            "Arguments": {"TaskToken": data.expr("$states.input.__wake"), "Output": "{}"},
            "Output": data.expr("$states.input"), "Next": nxt,
            "Retry": [{"ErrorEquals": ["Sfn.ThrottlingException"], "IntervalSeconds": 1,
                       "MaxAttempts": 5, "BackoffRate": 2.0}],
            # a token no longer waited for (the execution is stopping) changes nothing
            "Catch": [{"ErrorEquals": ["States.ALL"], "Output": data.expr("$states.input"),
                       "Next": nxt}]}
        choice = self.namer.new(join, f"{role}?")
        scope.states[choice] = {
            "Type": "Choice",
            "Choices": [{"Condition": data.expr('$type($states.input.__wake) = "string"'),
                         "Next": send}],
            "Default": nxt}
        return choice

    def arrival(self, scope: ScopeStates, origin: str, join: str) -> str:
        """Count the arrival of `origin` at `join`; the N-th distinct one wakes the waiter."""
        need = self.graph.early[join]
        arrive = self.namer.new(join, "arrive")
        mine = '$string({"ctx": $states.input.ctx, "tasks": $states.input.tasks})'
        values = {":from": {"SS": [origin]}, ":name": {"S": origin}, ":none": {"L": []},
                  ":doc": {"L": [{"S": data.expr(mine)}]},
                  ":exp": {"N": data.expr(f"{_entry(join)}.exp")}}
        arguments = self._join_item(
            join, values,
            UpdateExpression="ADD #froms :from "
                             "SET #docs = list_append(if_not_exists(#docs, :none), :doc), "
                             "#exp = :exp",
            ConditionExpression="attribute_not_exists(#froms) OR NOT contains(#froms, :name)",
            ReturnValues="ALL_NEW")
        # arrivals at one join from one scope share where they go next
        shared = f"arrived:{join}"
        if shared not in scope.ends:
            end = self._end_pass(scope, join)
            scope.ends[shared] = end
            scope.ends[f"{shared}:wake"] = self._send_token(scope, join, "wake", end)
        scope.states[arrive] = {
            "Type": "Task", "Resource": UPDATE, "Arguments": arguments,
            "Output": data.expr(_wake(f"$count($sw_item.froms.SS) = {need}")),
            "Retry": RETRY,
            # the same task arriving again (it ran twice) does not count twice
            "Catch": [{"ErrorEquals": [CONDITION_FAILED], "Output": data.expr("$states.input"),
                       "Next": scope.ends[shared]}],
            "Next": scope.ends[f"{shared}:wake"]}
        return arrive

    def counted_region(self, label: str, origin: str, branches: list[dict], early: list[str],
                       checked: list[list[str]]) -> list[dict]:
        """The branches of a layer of a region that owns early joins: the *counted* branch
        (its own Parallel of `branches`, then the joins of the stages `checked`, whose
        threads may still arrive at `early`, then the release of every join of `early`),
        then one waiter branch per join of `early`."""
        counted = ScopeStates(root=False)
        nxt = self.namer.new(label, "released")
        counted.states[nxt] = {"Type": "Pass", "End": True}
        for join in reversed(early):
            after, release = nxt, self.namer.new(join, "release")
            arguments = self._join_item(
                join, {":yes": {"BOOL": True}, ":exp": {"N": data.expr(f"{_entry(join)}.exp")}},
                UpdateExpression="SET #released = :yes, #exp = :exp", ReturnValues="ALL_NEW")
            counted.states[release] = {
                "Type": "Task", "Resource": UPDATE, "Arguments": arguments,
                "Output": data.expr(_wake(f"$count($sw_item.froms.SS) < {self.graph.early[join]}")),
                "Retry": RETRY, "Next": self._send_token(counted, join, "unblock", after)}
            nxt = release
        if checked:
            nxt = self._owned_joins(counted, origin, checked, CLEAN, nxt)
        entry = self._parallel(counted, label, "region", branches, nxt) if branches else nxt
        own = [{"StartAt": entry, "States": _ordered(counted.states, entry)}]
        return own + [self._waiter(join) for join in early]

    def _waiter(self, join: str) -> dict:
        need = self.graph.early[join]
        scope = ScopeStates(root=False)
        wait, read = self.namer.new(join, "wait"), self.namer.new(join, "read")
        decide = self.namer.new(join, "fire?")
        values = {":token": {"S": data.expr("$states.context.Task.Token")},
                  ":need": {"N": str(need)}, ":exp": {"N": data.expr(f"{_entry(join)}.exp")}}
        arguments = self._join_item(
            join, values, UpdateExpression="SET #token = :token, #exp = :exp",
            ConditionExpression="attribute_not_exists(#released) AND "
                                "(attribute_not_exists(#froms) OR size(#froms) < :need)")
        scope.states[wait] = {
            "Type": "Task", "Resource": f"{UPDATE}.waitForTaskToken",
            "Arguments": arguments, "Output": data.expr("$states.input"),
            "Retry": RETRY, "Next": read,
            # N tasks arrived, or the region ended, before the token was stored
            "Catch": [{"ErrorEquals": [CONDITION_FAILED], "Output": data.expr("$states.input"),
                       "Next": read}]}
        merged = ("($sw_docs := $map($sw_item.docs.L, function($d) { $parse($d.S) }); "
                  '$merge([$states.input, {"ctx": $merge([$states.input.ctx, $sw_docs.ctx]), '
                  '"tasks": $merge([$states.input.tasks, $sw_docs.tasks]), '
                  f'"fired": [$states.input.fired, {item_key(join)}], "__fire": true}}]))')
        scope.states[read] = {
            "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:dynamodb:getItem",
            "Arguments": {**self._join_item(join, {}), "ConsistentRead": True},
            "Output": data.expr(f"($sw_item := $states.result.Item; "
                                f"$count($sw_item.froms.SS) >= {need} ? {merged} : {{}})"),
            "Retry": RETRY, "Next": decide}
        idle = self.namer.new(join, "idle")
        scope.states[idle] = {"Type": "Pass", "Output": {}, "End": True}
        scope.states[decide] = {
            "Type": "Choice",
            "Choices": [{"Condition": data.expr("$states.input.__fire = true"),
                         "Next": self.thread(scope, join, CLEAN)}],
            "Default": idle}
        return {"StartAt": wait, "States": _ordered(scope.states, wait)}
