/**
 * The README's Java examples, compiled and run by the build: each class the README quotes marks its regions with
 * {@code // tag::name[]} and {@code // end::name[]}; {@code ReadmeSnippetsTest} holds every java block of the
 * README equal to its region, and {@code ReadmeExamplesTest} runs the examples against a real nats-server.
 */
package dev.asyncqueue.examples.readme;
