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
# 1. install the tarball (`make dist`) into build/ee/collections, as an EE build
#    installs it from Galaxy;
# 2. `ansible-builder introspect` that copy, as the EE build does: it must report
#    every line of requirements.txt (requests) and bindep.txt;
# 3. `ansible-builder create -f meta/execution-environment.yml`, in the work tree and
#    in the installed copy: each context gets requirements.txt and bindep.txt (real
#    files, not links);
# 4. `ansible-builder create` on docs/examples/execution-environment.yml: the
#    context installs hwcloud.ims and introspects it (step 2 is what that finds).
#
# hacking/ee_check.py then checks what steps 2 to 4 produced.
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

ee: $(STAMP) $(EE_STAMP) dist ## Check the EE files with ansible-builder create and introspect (build/ee)
	rm -rf '$(EE_BUILD)'
	mkdir -p '$(EE_BUILD)/introspect'
	@echo '>>> 1. the collection tarball ($(patsubst $(ROOT)/%,%,$(TARBALL))), installed into $(patsubst $(ROOT)/%,%,$(EE_COLLECTIONS))'
	ANSIBLE_COLLECTIONS_PATH='$(EE_COLLECTIONS)' \
	  ansible-galaxy collection install --force -p '$(EE_COLLECTIONS)' '$(TARBALL)' > /dev/null
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
	@'$(EE_PY)' hacking/ee_check.py '$(EE_BUILD)/introspect/requirements.txt' '$(EE_BUILD)/introspect/bindep.txt' \
	  '$(EE_BUILD)/context-meta' '$(EE_BUILD)/context-meta-installed' '$(EE_BUILD)/context-example'

# `make distclean` also removes the builder venv.
distclean: distclean-ee-venv
distclean-ee-venv:
	rm -rf '$(EE_VENV)'
