# Execution environments (AWX / Automation Platform): `make ee` checks with
# ansible-builder that an EE built with hwcloud.ims gets the collection's
# dependencies. Nothing is built (no container engine needed); offline except PyPI
# for the venv.
#
# ansible-builder reads a collection's meta/execution-environment.yml when the
# collection is installed into an EE: its introspection (CollectionDefinition in
# ansible_builder/_target_scripts/introspect.py) joins `dependencies.python` and
# `dependencies.system` to the collection root. `ansible-builder create -f FILE`
# joins the same keys to the folder of FILE (UserDefinition.reference_path), i.e.
# meta/. No path works both ways (introspection refuses absolute paths and lists),
# so the files live in meta/ and the collection root has links to them
# (requirements.txt -> meta/requirements.txt, bindep.txt -> meta/bindep.txt; links
# inside a collection survive ansible-galaxy build and install). The EE definition
# users build is docs/examples/execution-environment.yml. The steps:
#
# 1. build the tarball and install it into build/ee/collections, as an EE build
#    installs it from Galaxy;
# 2. `ansible-builder introspect` that copy, as the EE build does: it must report
#    every line of requirements.txt (requests) and bindep.txt;
# 3. `ansible-builder create -f meta/execution-environment.yml`, in the work tree and
#    in the installed copy: each context gets requirements.txt and bindep.txt (real
#    files, not links);
# 4. `ansible-builder create` on docs/examples/execution-environment.yml: the
#    context installs hwcloud.ims and introspects it (step 2 is what that finds).
#
# ansible-builder lives in .venvs/builder, pinned in tests/requirements/builder.txt
# and reinstalled only when that file changes.

EE_VENV := $(ROOT)/.venvs/builder
EE_BIN := $(EE_VENV)/bin
EE_PY := $(EE_BIN)/python
EE_STAMP := $(EE_VENV)/.installed.stamp
EE_REQUIREMENTS := tests/requirements/builder.txt
EE_BUILD := $(BUILD)/ee
EE_COLLECTIONS := $(EE_BUILD)/collections
EE_INSTALLED := $(EE_COLLECTIONS)/ansible_collections/hwcloud/ims
EE_EXAMPLE := docs/examples/execution-environment.yml

.PHONY: ee ee-venv distclean-ee-venv

ee-venv: $(EE_STAMP)

$(EE_STAMP): $(EE_REQUIREMENTS)
	$(call venv_recipe,$(EE_VENV),$(EE_REQUIREMENTS))

# Run by the builder venv's Python after the steps above, from the work tree:
#   EE_CHECK_PY INTROSPECTED_PIP INTROSPECTED_BINDEP META_CONTEXT EXAMPLE_CONTEXT
define EE_CHECK
import os, sys
import yaml
from packaging.requirements import Requirement

pip_out, bindep_out, meta_ctx, meta_installed_ctx, example_ctx = sys.argv[1:6]
with open('galaxy.yml') as handle:
    galaxy = yaml.safe_load(handle)
fqcn = '%s.%s' % (galaxy['namespace'], galaxy['name'])
problems = []


def entries(path):
    """The lines of a requirements or bindep file, without comments and blank lines."""
    with open(path) as handle:
        return [line.split(' #')[0].strip() for line in handle
                if line.strip() and not line.lstrip().startswith('#')]


def read(path):
    with open(path) as handle:
        return handle.read()


python_deps, system_deps = entries('requirements.txt'), entries('bindep.txt')
if 'requests' not in [Requirement(line).name for line in python_deps]:
    problems.append('requirements.txt does not list requests')
if not system_deps:
    problems.append('bindep.txt lists nothing')

# 2. what the EE build installs for the collection
introspected = {'python': read(pip_out).splitlines(), 'system': read(bindep_out).splitlines()}
for kind, deps, source in (('python', python_deps, 'requirements.txt'), ('system', system_deps, 'bindep.txt')):
    for dep in deps:
        if '%s  # from collection %s' % (dep, fqcn) not in introspected[kind]:
            problems.append('introspection of the installed collection misses %r of %s; it found: %s'
                            % (dep, source, introspected[kind]))

# 3. create -f meta/execution-environment.yml, in the work tree and the installed copy
for ctx in (meta_ctx, meta_installed_ctx):
    for name, deps in (('requirements.txt', python_deps), ('bindep.txt', system_deps)):
        path = os.path.join(ctx, '_build', name)
        if not os.path.isfile(path) or os.path.islink(path) or entries(path) != deps:
            problems.append('%s: not a copy of the collection\'s %s' % (path, name))

# 4. create on the example: installs the collection, then introspects it
requirements = yaml.safe_load(read(os.path.join(example_ctx, '_build', 'requirements.yml')))
if fqcn not in [c['name'] if isinstance(c, dict) else c for c in requirements.get('collections') or []]:
    problems.append('%s/_build/requirements.yml does not install %s' % (example_ctx, fqcn))
if 'introspect.py introspect' not in read(os.path.join(example_ctx, 'Containerfile')):
    problems.append('%s/Containerfile does not introspect the collections' % example_ctx)

if problems:
    sys.exit('make ee:\n  ' + '\n  '.join(problems))
print('  introspection of %s: %s | %s' % (fqcn, ', '.join(python_deps), ', '.join(system_deps)))
print('  contexts: %s' % ', '.join(os.path.relpath(ctx) for ctx in (meta_ctx, meta_installed_ctx, example_ctx)))
endef
ee: export EE_CHECK_PY = $(EE_CHECK)

ee: $(STAMP) $(EE_STAMP) ## Check the EE files with ansible-builder create and introspect (build/ee)
	rm -rf '$(EE_BUILD)'
	mkdir -p '$(EE_BUILD)/dist' '$(EE_BUILD)/introspect'
	@echo '>>> 1. the collection tarball, installed into $(patsubst $(ROOT)/%,%,$(EE_COLLECTIONS))'
	ansible-galaxy collection build --force --output-path '$(EE_BUILD)/dist' . > /dev/null
	ANSIBLE_COLLECTIONS_PATH='$(EE_COLLECTIONS)' \
	  ansible-galaxy collection install --force -p '$(EE_COLLECTIONS)' '$(EE_BUILD)'/dist/hwcloud-ims-*.tar.gz > /dev/null
	@echo '>>> 2. ansible-builder introspect on the installed collection'
	'$(EE_BIN)/ansible-builder' introspect \
	  --write-pip '$(EE_BUILD)/introspect/requirements.txt' \
	  --write-bindep '$(EE_BUILD)/introspect/bindep.txt' '$(EE_COLLECTIONS)'
	@echo '>>> 3. ansible-builder create -f meta/execution-environment.yml, in the work tree and the installed copy'
	@echo '    (it names no base image: the warning about the default one is expected)'
	'$(EE_BIN)/ansible-builder' create --output-filename Containerfile \
	  -f meta/execution-environment.yml --context '$(EE_BUILD)/context-meta'
	cd '$(EE_INSTALLED)' && '$(EE_BIN)/ansible-builder' create --output-filename Containerfile \
	  -f meta/execution-environment.yml --context '$(EE_BUILD)/context-meta-installed'
	@echo '>>> 4. ansible-builder create on $(EE_EXAMPLE)'
	'$(EE_BIN)/ansible-builder' create --output-filename Containerfile \
	  -f '$(EE_EXAMPLE)' --context '$(EE_BUILD)/context-example'
	@echo '>>> checking'
	@'$(EE_PY)' -c "$$EE_CHECK_PY" '$(EE_BUILD)/introspect/requirements.txt' '$(EE_BUILD)/introspect/bindep.txt' \
	  '$(EE_BUILD)/context-meta' '$(EE_BUILD)/context-meta-installed' '$(EE_BUILD)/context-example'

# `make distclean` also removes the builder venv.
distclean: distclean-ee-venv
distclean-ee-venv:
	rm -rf '$(EE_VENV)'
