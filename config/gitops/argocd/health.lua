-- Argo CD health check for egressdiag.io/EgressDiagnosis (docs/gitops.md).
-- Install as argocd-cm key `resource.customizations.health.egressdiag.io_EgressDiagnosis`.
-- Argo CD runs it in gopher-lua (Lua 5.1) with `obj` as the object; keep it 5.1-compatible.
--
--   no status / conditions yet, or status about an older generation  -> Progressing
--   Stalled=True (bad spec, missing target)                           -> Degraded
--   readinessPolicy Healthy and Healthy=False (egress broken)         -> Degraded
--   Ready=True                                                        -> Healthy
--   anything else (Ready Unknown/False/absent)                        -> Progressing
-- With the default readinessPolicy Reconciled an egress outage leaves the Application Healthy
-- (the message still says so): alerts page on outages, GitOps health tracks the diagnosis.
local hs = {}

local function describe(c)
  local text = c.type .. "=" .. tostring(c.status)
  if c.reason ~= nil and c.reason ~= "" then
    text = text .. " (" .. c.reason .. ")"
  end
  if c.message ~= nil and c.message ~= "" then
    text = text .. ": " .. c.message
  end
  return text
end

local status = obj.status
if status == nil or status.conditions == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for egressdiag-operator to report status"
  return hs
end

local generation = nil
if obj.metadata ~= nil then
  generation = obj.metadata.generation
end
if generation ~= nil and (status.observedGeneration == nil or status.observedGeneration < generation) then
  hs.status = "Progressing"
  hs.message = "Waiting for egressdiag-operator to observe generation " .. tostring(generation)
  return hs
end

local conditions = {}
for _, c in ipairs(status.conditions) do
  if c.type ~= nil then
    conditions[c.type] = c
  end
end

local stalled = conditions["Stalled"]
if stalled ~= nil and stalled.status == "True" then
  hs.status = "Degraded"
  hs.message = describe(stalled)
  return hs
end

local policy = "Reconciled"
if obj.spec ~= nil and obj.spec.readinessPolicy ~= nil then
  policy = obj.spec.readinessPolicy
end
local healthy = conditions["Healthy"]
if policy == "Healthy" and healthy ~= nil and healthy.status == "False" then
  hs.status = "Degraded"
  hs.message = describe(healthy)
  return hs
end

local ready = conditions["Ready"]
if ready == nil or ready.status ~= "True" or
    (generation ~= nil and ready.observedGeneration ~= nil and ready.observedGeneration < generation) then
  hs.status = "Progressing"
  if ready == nil then
    hs.message = "Waiting for the Ready condition"
  else
    hs.message = describe(ready)
  end
  return hs
end

hs.status = "Healthy"
if healthy ~= nil then
  hs.message = describe(healthy)
else
  hs.message = describe(ready)
end
return hs
