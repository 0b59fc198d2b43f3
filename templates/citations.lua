-- briefgen's filter after citeproc. Citations of keys missing from the bibliography
-- (possible only in --draft builds) link to reference entries that do not exist; Typst
-- refuses such links, so they are unlinked.
local ref_ids = {}

local function collect_refs(el)
  if el.identifier:match("^ref%-") then ref_ids[el.identifier] = true end
end

local function unlink_missing(el)
  local target = el.target:match("^#(ref%-.*)$")
  if target and not ref_ids[target] then return el.content end
  return nil
end

return {
  { Div = collect_refs },
  { Link = unlink_missing },
}
