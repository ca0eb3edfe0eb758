# Everything installs into .venv from the project's own requirement files.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
DATA ?= .local-data

.PHONY: install local test bench bench-requests bench-executions bench-local bench-package package deploy clean

# Deployment (README "Deploy to AWS"). Packaging needs a region but no credentials.
STAGE ?= dev
OUT ?= build
REGION ?= us-east-1
RUNTIME ?= python3.13
STACK ?= stepwise-$(STAGE)
PREFIX ?= stepwise-$(STAGE)
# Extra CloudFormation parameters, e.g. PARAMS="EmailIdentity=example.com EmailSender=ci@example.com"
PARAMS ?=

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	$(BIN)/pip install -q --no-deps -e .

local: install
	$(BIN)/stepwise local --port $(PORT) --data-dir $(DATA)

test: install
	$(BIN)/pytest -n 2

bench: install
	$(BIN)/python bench/compile.py

bench-requests: install
	$(BIN)/python bench/api_requests.py

bench-executions: install
	$(BIN)/python bench/executions.py

bench-local: install
	PYTHONPATH=. $(BIN)/python bench/local_start.py

bench-package: package
	PYTHONPATH=. $(BIN)/python bench/package.py --build $(OUT)

package: install
	rm -rf $(OUT)
	AWS_DEFAULT_REGION=$(REGION) $(BIN)/chalice package --stage $(STAGE) \
		--merge-template infra/aws/resources.yaml $(OUT)
	$(BIN)/python -m infra.aws.slim $(OUT)/deployment.zip $(RUNTIME)

# Needs the AWS CLI, deployer credentials and an S3 bucket for the code (BUCKET=...).
deploy: package
	test -n "$(BUCKET)" || { echo "make deploy needs BUCKET=<S3 bucket for the code>"; exit 2; }
	aws cloudformation package --region $(REGION) --template-file $(OUT)/sam.yaml \
		--s3-bucket $(BUCKET) --s3-prefix $(STACK) --output-template-file $(OUT)/packaged.yaml
	aws cloudformation deploy --region $(REGION) --template-file $(OUT)/packaged.yaml \
		--stack-name $(STACK) --capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND \
		--parameter-overrides Prefix=$(PREFIX) $(PARAMS)
	aws cloudformation describe-stacks --region $(REGION) --stack-name $(STACK) \
		--query "Stacks[0].Outputs[?OutputKey=='EndpointURL'].OutputValue" --output text

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis $(OUT)
