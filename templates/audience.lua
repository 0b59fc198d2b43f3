-- briefgen's first filter, run once per brief before citeproc: keeps the audience blocks
-- meant for the brief's audience (metadata briefgen-audience) and drops the others, so
-- citations in dropped blocks are not listed in the references.

local audience = nil

local function words(s)
  local out = {}
  for w in string.gmatch(s or "", "[^%s,]+") do out[w] = true end
  return out
end

local function admits(el)
  local only, except = el.attributes["only"], el.attributes["except"]
  if only and not words(only)[audience] then return false end
  if except and words(except)[audience] then return false end
  return true
end

function Meta(meta)
  if meta["briefgen-audience"] then
    audience = pandoc.utils.stringify(meta["briefgen-audience"])
  end
end

-- A kept block marked above TLP:CLEAR stays a div of its own, "briefgen-portion", so
-- brief.lua can mark it where it starts (portion marking); any other kept block is
-- unwrapped. The marking was checked by briefgen (audience-block findings).
local function portion(el)
  local marking = el.attributes["marking"]
  if marking == nil or marking == "TLP:CLEAR" then return el.content end
  return pandoc.Div(el.content, pandoc.Attr("", { "briefgen-portion" }, { marking = marking }))
end

function Div(el)
  if el.classes:includes("audience") then
    if audience and not admits(el) then return {} end
    return portion(el)
  end
  return nil
end

return {
  { Meta = Meta },
  { Div = Div },
}
